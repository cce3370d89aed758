import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planInit } from '../../src/agents/init.js';
import { parseHookInput } from '../../src/hooks/session.js';

describe('parseHookInput', () => {
  it('reads a hook object and treats anything else as empty', () => {
    expect(parseHookInput('{"session_id":"a","source":"startup"}')).toEqual({ session_id: 'a', source: 'startup' });
    for (const text of ['', '  ', 'not json', '[1,2]', 'null', '42']) expect(parseHookInput(text)).toEqual({});
  });
});

describe('examples/claude-code matches what init writes', () => {
  let claudeDir: string;
  beforeEach(async () => {
    claudeDir = await mkdtemp(join(tmpdir(), 'handoffs-init-'));
  });
  afterEach(() => rm(claudeDir, { recursive: true, force: true }));

  it('settings.json and CLAUDE.md are the files init creates for the command `handoffs`', async () => {
    const [claudeMd, settings] = (await planInit({ agents: ['claude'], configDir: claudeDir, command: 'handoffs' })).changes;
    const examples = join(import.meta.dirname, '..', '..', 'examples', 'claude-code');
    expect(await readFile(join(examples, 'CLAUDE.md'), 'utf8')).toBe(claudeMd!.after);
    expect(await readFile(join(examples, 'settings.json'), 'utf8')).toBe(settings!.after);
  });
});
