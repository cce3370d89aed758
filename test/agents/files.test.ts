import { chmod, lstat, mkdir, readFile, readdir, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InitError } from '../../src/agents/errors.js';
import { applyInit, planInit } from '../../src/agents/init.js';
import { tempDir } from '../helpers.js';

/**
 * The safe edit of a user's files, through `planInit` / `applyInit` for Claude Code: a dotfiles
 * layout of links, read-only files, permission bits, backups.
 */
describe('safe edits of the user files', () => {
  let sandbox: Awaited<ReturnType<typeof tempDir>>;
  let claudeDir: string;
  let dotfiles: string;
  const init = async (extra: { uninstall?: boolean } = {}) => {
    const plan = await planInit({ agents: ['claude'], configDir: claudeDir, command: 'handoffs', ...extra });
    return { plan, applied: await applyInit(plan, { now: new Date(2026, 10, 25, 12, 0, 0) }) };
  };

  beforeEach(async () => {
    sandbox = await tempDir();
    claudeDir = join(sandbox.root, 'home', '.claude');
    dotfiles = join(sandbox.root, 'home', 'dotfiles', 'claude');
    await mkdir(claudeDir, { recursive: true });
    await mkdir(dotfiles, { recursive: true });
  });
  afterEach(() => sandbox.dispose());

  it('writes through symlinked settings.json and CLAUDE.md: the links stay links, the dotfiles get the change', async () => {
    await writeFile(join(dotfiles, 'settings.json'), '{\n  "model": "opus"\n}\n');
    await writeFile(join(dotfiles, 'CLAUDE.md'), '# Mine\n');
    await symlink('../dotfiles/claude/settings.json', join(claudeDir, 'settings.json'));
    await symlink(join(dotfiles, 'CLAUDE.md'), join(claudeDir, 'CLAUDE.md'));

    const { plan } = await init();
    expect(plan.changes.map((change) => change.realPath)).toEqual([join(dotfiles, 'CLAUDE.md'), join(dotfiles, 'settings.json')]);
    for (const name of ['settings.json', 'CLAUDE.md']) {
      expect((await lstat(join(claudeDir, name))).isSymbolicLink()).toBe(true);
    }
    expect(await readlink(join(claudeDir, 'settings.json'))).toBe('../dotfiles/claude/settings.json');
    const settings = JSON.parse(await readFile(join(dotfiles, 'settings.json'), 'utf8'));
    expect(settings.model).toBe('opus');
    expect(settings.hooks.SessionStart[0].hooks[0].command).toBe('HANDOFFS_INIT=1 handoffs start --hook --agent claude');
    expect(await readFile(join(dotfiles, 'CLAUDE.md'), 'utf8')).toMatch(/^# Mine\n\n<!-- handoffs:begin/);
    // No temporary file is left in the dotfiles folder; the backups sit beside the links.
    expect((await readdir(dotfiles)).sort()).toEqual(['CLAUDE.md', 'settings.json']);
    expect((await readdir(claudeDir)).sort()).toEqual([
      'CLAUDE.md',
      'CLAUDE.md.bak-2026-11-25_120000',
      'settings.json',
      'settings.json.bak-2026-11-25_120000',
    ]);
    expect(await readFile(join(claudeDir, 'settings.json.bak-2026-11-25_120000'), 'utf8')).toBe('{\n  "model": "opus"\n}\n');
  });

  it('creates the real file of a dangling link into an existing folder, and keeps the link', async () => {
    await symlink(join(dotfiles, 'CLAUDE.md'), join(claudeDir, 'CLAUDE.md'));
    await init();
    expect((await lstat(join(claudeDir, 'CLAUDE.md'))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(dotfiles, 'CLAUDE.md'), 'utf8')).toContain('<!-- handoffs:begin');
  });

  it('refuses a link into a folder that does not exist, with a typed error, and writes nothing', async () => {
    await symlink(join(sandbox.root, 'gone', 'CLAUDE.md'), join(claudeDir, 'CLAUDE.md'));
    const plan = await planInit({ agents: ['claude'], configDir: claudeDir, command: 'handoffs' });
    const error = await applyInit(plan).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InitError);
    expect((error as InitError).code).toBe('NOT_WRITABLE');
    expect((error as InitError).message).toContain(join(sandbox.root, 'gone'));
    // settings.json comes second in the plan: it was not written either.
    expect(await readdir(claudeDir)).toEqual(['CLAUDE.md']);
  });

  it('refuses a read-only target (a link into a read-only store) and changes nothing', async () => {
    await writeFile(join(dotfiles, 'settings.json'), '{}\n');
    await chmod(join(dotfiles, 'settings.json'), 0o444);
    await symlink(join(dotfiles, 'settings.json'), join(claudeDir, 'settings.json'));
    const plan = await planInit({ agents: ['claude'], configDir: claudeDir, command: 'handoffs' });
    const error = (await applyInit(plan).catch((caught: unknown) => caught)) as InitError;
    expect(error.code).toBe('NOT_WRITABLE');
    expect(error.message).toMatch(/settings\.json \(a link to .*dotfiles\/claude\/settings\.json\) is read-only/);
    expect(await readFile(join(dotfiles, 'settings.json'), 'utf8')).toBe('{}\n');
    expect(await readdir(claudeDir)).toEqual(['settings.json']);
  });

  it("keeps each file's permission bits", async () => {
    await writeFile(join(claudeDir, 'settings.json'), '{}\n', { mode: 0o600 });
    await writeFile(join(claudeDir, 'CLAUDE.md'), '# Mine\n', { mode: 0o640 });
    await chmod(join(claudeDir, 'CLAUDE.md'), 0o640);
    await init();
    expect((await stat(join(claudeDir, 'settings.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(claudeDir, 'CLAUDE.md'))).mode & 0o777).toBe(0o640);
  });

  it('a second run reports every file unchanged and touches no byte, no mtime, no backup', async () => {
    await writeFile(join(claudeDir, 'settings.json'), '{\n    "model": "opus"\n}\n');
    await init();
    const names = (await readdir(claudeDir)).sort();
    const before = await Promise.all(names.map(async (name) => [name, await readFile(join(claudeDir, name), 'utf8'), (await stat(join(claudeDir, name))).mtimeMs]));
    const { plan, applied } = await init();
    expect(plan.changes.map((change) => change.action)).toEqual(['unchanged', 'unchanged']);
    expect(applied).toEqual({ backups: [], written: [] });
    const after = await Promise.all(names.map(async (name) => [name, await readFile(join(claudeDir, name), 'utf8'), (await stat(join(claudeDir, name))).mtimeMs]));
    expect(after).toEqual(before);
    expect((await readdir(claudeDir)).sort()).toEqual(names);
  });

  it('refuses to apply a plan when the file changed on disk after it was read', async () => {
    await writeFile(join(claudeDir, 'settings.json'), '{}\n');
    const plan = await planInit({ agents: ['claude'], configDir: claudeDir, command: 'handoffs' });
    await writeFile(join(claudeDir, 'settings.json'), '{"model": "sonnet"}\n');
    await expect(applyInit(plan)).rejects.toMatchObject({ code: 'IO' });
    expect(await readFile(join(claudeDir, 'settings.json'), 'utf8')).toBe('{"model": "sonnet"}\n');
  });

  it('two runs in the same second keep both backups', async () => {
    await writeFile(join(claudeDir, 'CLAUDE.md'), 'first\n');
    await init();
    await writeFile(join(claudeDir, 'CLAUDE.md'), 'second\n');
    await init();
    const backups = (await readdir(claudeDir)).filter((name) => name.startsWith('CLAUDE.md.bak-')).sort();
    expect(backups).toEqual(['CLAUDE.md.bak-2026-11-25_120000', 'CLAUDE.md.bak-2026-11-25_120000-2']);
    expect(await readFile(join(claudeDir, backups[0]!), 'utf8')).toBe('first\n');
    expect(await readFile(join(claudeDir, backups[1]!), 'utf8')).toBe('second\n');
  });
});
