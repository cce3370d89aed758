import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HandoffStore } from '../../src/index.js';
import { openPluginStore, readPluginOptions, storeLocation } from '../../src/opencode/options.js';

describe('storeLocation', () => {
  it('is ~/.claude/handoffs by default, as for the CLI', () => {
    expect(storeLocation({ env: {} })).toEqual({ dir: join(homedir(), '.claude', 'handoffs') });
  });

  it('takes HANDOFFS_DIR, with ~ expanded and relative paths resolved, and ignores it when empty', () => {
    expect(storeLocation({ env: { HANDOFFS_DIR: '~/shared/handoffs' } })).toEqual({ dir: join(homedir(), 'shared', 'handoffs') });
    expect(storeLocation({ env: { HANDOFFS_DIR: 'rel' } })).toEqual({ dir: resolve('rel') });
    expect(storeLocation({ env: { HANDOFFS_DIR: '' } })).toEqual({ dir: join(homedir(), '.claude', 'handoffs') });
  });

  it('prefers the options to the environment, and a store URL to a directory', () => {
    expect(storeLocation({ dir: '/opt/h', env: { HANDOFFS_DIR: '/env/h' } })).toEqual({ dir: '/opt/h' });
    expect(storeLocation({ dir: '/opt/h', env: { HANDOFFS_STORE: 'git:origin' } })).toEqual({ url: 'git:origin' });
    expect(storeLocation({ store: 'postgres://db/h', env: { HANDOFFS_STORE: 'git:origin' } })).toEqual({ url: 'postgres://db/h' });
    expect(storeLocation({ env: { HANDOFFS_STORE: '', HANDOFFS_DIR: '/env/h' } })).toEqual({ dir: '/env/h' });
  });
});

describe('openPluginStore', () => {
  it('uses a HandoffStore given as it is, and opens the directory otherwise', () => {
    const given = new HandoffStore({ dir: '/tmp/given' });
    expect(openPluginStore({ store: given })).toBe(given);
    expect(openPluginStore({ dir: '/tmp/elsewhere', env: {} }).location).toBe('/tmp/elsewhere');
  });
});

describe('readPluginOptions', () => {
  it('keeps an object and ignores anything else OpenCode might pass', () => {
    expect(readPluginOptions({ dir: '/x' })).toEqual({ dir: '/x' });
    for (const value of [undefined, null, 'x', 3, ['a']]) expect(readPluginOptions(value)).toEqual({});
  });
});
