import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeConfigDir, claudeMemoryDir, claudeProjectName, claudeProjectRoot, defaultClaudeMemoryDir } from '../../src/index.js';
import { tempDir } from '../helpers.js';

// Every expected name below is what the real Claude Code 2.1.197 created under ~/.claude/projects/
// when `claude -p hello` ran in that directory (observed 2026-11-25; test/e2e/claude-memory.e2e.ts
// repeats the observation against the installed client).
describe('claudeProjectName: the folder Claude Code names after a project path', () => {
  it.each([
    ['underscores', '/tmp/mem-scratch/p.NSqA/a_b_c', '-tmp-mem-scratch-p-NSqA-a-b-c'],
    ['a space', '/tmp/mem-scratch/p.b11a/sp ace', '-tmp-mem-scratch-p-b11a-sp-ace'],
    ['dots', '/tmp/mem-scratch/p.ZfYv/dots.v1.2', '-tmp-mem-scratch-p-ZfYv-dots-v1-2'],
    ['é (one UTF-16 unit, NFC)', '/tmp/mem-scratch/p.a81K/café', '-tmp-mem-scratch-p-a81K-caf-'],
    ['é decomposed (e + U+0301: two units)', '/tmp/mem-scratch/p.kKRz/e\u0301', '-tmp-mem-scratch-p-kKRz-e-'],
    ['日本 (two units)', '/tmp/mem-scratch/p.aEa8/日本', '-tmp-mem-scratch-p-aEa8---'],
    ['an emoji (a surrogate pair: two units)', '/tmp/mem-scratch/p.MsFh/😀', '-tmp-mem-scratch-p-MsFh---'],
    ['punctuation', '/tmp/mem-scratch/p.JkAT/q"u#o%t+e@~!$', '-tmp-mem-scratch-p-JkAT-q-u-o-t-e----'],
    ['a tab', '/tmp/mem-scratch/h.cAM7/w/tab\tx', '-tmp-mem-scratch-h-cAM7-w-tab-x'],
    ['upper case, hyphens and digits (kept)', '/tmp/mem-scratch/p.SyCq/UPPER-lower-09', '-tmp-mem-scratch-p-SyCq-UPPER-lower-09'],
  ])('%s', (_, path, observed) => {
    expect(claudeProjectName(path)).toBe(observed);
  });

  it('a path over 200 characters: its first 200, a dash, and a base-36 hash of the whole path', () => {
    const path = `/tmp/mem-scratch/h.cAM7/long/${Array.from({ length: 30 }, (_, index) => `segment-${String(index + 1).padStart(2, '0')}`).join('/')}`;
    expect(path.length).toBe(358);
    const observed =
      '-tmp-mem-scratch-h-cAM7-long-segment-01-segment-02-segment-03-segment-04-segment-05-segment-06-segment-07-segment-08-' +
      'segment-09-segment-10-segment-11-segment-12-segment-13-segment-14-segment-15-segmen-yjqtpz';
    expect(claudeProjectName(path)).toBe(observed);
    expect(observed).toHaveLength(207);
    // Paths that share their first 200 characters still get different folders.
    expect(claudeProjectName(`${path}x`)).not.toBe(observed);
    expect(claudeProjectName(`${path}x`).slice(0, 201)).toBe(observed.slice(0, 201));
  });

  it('a path of exactly 200 characters is not hashed', () => {
    const path = `/${'a'.repeat(199)}`;
    expect(claudeProjectName(path)).toBe(`-${'a'.repeat(199)}`);
  });
});

describe('claudeConfigDir and defaultClaudeMemoryDir (pure)', () => {
  it('is ~/.claude, or $CLAUDE_CONFIG_DIR when set', () => {
    expect(claudeConfigDir({ home: '/h', env: {} })).toBe('/h/.claude');
    expect(claudeConfigDir({ home: '/h', env: { CLAUDE_CONFIG_DIR: '/cfg' } })).toBe('/cfg');
    expect(claudeConfigDir({ home: '/h', configDir: '/given', env: { CLAUDE_CONFIG_DIR: '/cfg' } })).toBe('/given');
  });

  it('puts the memory in <config>/projects/<name>/memory; $CLAUDE_CODE_REMOTE_MEMORY_DIR replaces the config dir', () => {
    expect(defaultClaudeMemoryDir('/work/my.app', { home: '/h', env: {} })).toBe('/h/.claude/projects/-work-my-app/memory');
    expect(defaultClaudeMemoryDir('/work/my.app', { home: '/h', env: { CLAUDE_CODE_REMOTE_MEMORY_DIR: '/remote' } })).toBe(
      '/remote/projects/-work-my-app/memory',
    );
  });

  it('normalises the whole path to NFC after naming the folder, as Claude Code does', () => {
    expect(defaultClaudeMemoryDir('/w/e\u0301', { home: '/home/Zoe\u0308', env: {} })).toBe('/home/Zo\u00eb/.claude/projects/-w-e-/memory');
  });
});

describe('claudeMemoryDir: the folder for a session started in a directory', () => {
  let sandbox: Awaited<ReturnType<typeof tempDir>>;
  let root: string;
  let home: string;
  const env = {};
  const nameOf = (path: string) => join(home, '.claude', 'projects', claudeProjectName(path), 'memory');

  beforeEach(async () => {
    sandbox = await tempDir();
    root = await realpath(sandbox.root);
    home = join(root, 'home');
    await mkdir(home);
  });
  afterEach(() => sandbox.dispose());

  it('is named after the directory itself outside a repository', async () => {
    const project = join(root, 'plain project');
    await mkdir(project);
    expect(await claudeMemoryDir(project, { home, env })).toEqual({ dir: nameOf(project), projectRoot: project, source: 'default' });
  });

  it('is named after the git root from any subfolder of a repository', async () => {
    const repo = join(root, 'repo');
    await mkdir(join(repo, '.git'), { recursive: true });
    await mkdir(join(repo, 'pkg', 'sub'), { recursive: true });
    const location = await claudeMemoryDir(join(repo, 'pkg', 'sub'), { home, env });
    expect(location).toMatchObject({ dir: nameOf(repo), projectRoot: repo });
  });

  it("is the main checkout's for a linked worktree (git worktree add)", async () => {
    const main = join(root, 'main');
    const worktree = join(root, 'wt-feature');
    const admin = join(main, '.git', 'worktrees', 'wt-feature');
    await mkdir(admin, { recursive: true });
    await mkdir(join(worktree, 'deep'), { recursive: true });
    await writeFile(join(worktree, '.git'), `gitdir: ${admin}\n`);
    await writeFile(join(admin, 'commondir'), '../..\n');
    await writeFile(join(admin, 'gitdir'), `${join(worktree, '.git')}\n`);
    expect(await claudeProjectRoot(join(worktree, 'deep'))).toBe(main);
    expect((await claudeMemoryDir(join(worktree, 'deep'), { home, env })).dir).toBe(nameOf(main));
  });

  it('keeps its own root for a .git file that is not a worktree of another checkout (a submodule)', async () => {
    const outer = join(root, 'outer');
    const modules = join(outer, '.git', 'modules', 'lib');
    await mkdir(modules, { recursive: true });
    await mkdir(join(outer, 'lib'), { recursive: true });
    await writeFile(join(outer, 'lib', '.git'), 'gitdir: ../.git/modules/lib\n');
    expect(await claudeProjectRoot(join(outer, 'lib'))).toBe(join(outer, 'lib'));
  });

  it('resolves symbolic links in the working directory', async () => {
    await mkdir(join(root, 'real', 'proj'), { recursive: true });
    await symlink(join(root, 'real'), join(root, 'link'));
    expect((await claudeMemoryDir(join(root, 'link', 'proj'), { home, env })).dir).toBe(nameOf(join(root, 'real', 'proj')));
  });

  it('lives under $CLAUDE_CONFIG_DIR when it is set', async () => {
    const project = join(root, 'p');
    await mkdir(project);
    const location = await claudeMemoryDir(project, { home, env: { CLAUDE_CONFIG_DIR: join(root, 'cfg') } });
    expect(location.dir).toBe(join(root, 'cfg', 'projects', claudeProjectName(project), 'memory'));
  });

  describe('autoMemoryDirectory and the environment override', () => {
    let project: string;
    beforeEach(async () => {
      project = join(root, 'repo', 'sub');
      await mkdir(join(root, 'repo', '.git'), { recursive: true });
      await mkdir(join(project, '.claude'), { recursive: true });
      await mkdir(join(home, '.claude'), { recursive: true });
    });
    const settings = (file: string, value: unknown) => writeFile(file, JSON.stringify({ autoMemoryDirectory: value }));

    it('user settings: ~/ is the home folder', async () => {
      await settings(join(home, '.claude', 'settings.json'), '~/mymem');
      expect(await claudeMemoryDir(project, { home, env })).toMatchObject({
        dir: join(home, 'mymem'),
        source: 'settings',
        settingsFile: join(home, '.claude', 'settings.json'),
      });
    });

    it('settings.local.json beats settings.json beats user settings, read in the working directory', async () => {
      await settings(join(home, '.claude', 'settings.json'), '~/user');
      await settings(join(project, '.claude', 'settings.json'), '~/project');
      expect((await claudeMemoryDir(project, { home, env })).dir).toBe(join(home, 'project'));
      await settings(join(project, '.claude', 'settings.local.json'), '~/local/');
      expect((await claudeMemoryDir(project, { home, env })).dir).toBe(join(home, 'local'));
    });

    it("the repository root's settings are not read from a subfolder (as observed)", async () => {
      await mkdir(join(root, 'repo', '.claude'));
      await settings(join(root, 'repo', '.claude', 'settings.json'), '~/rootmem');
      expect(await claudeMemoryDir(project, { home, env })).toMatchObject({ source: 'default', dir: nameOf(join(root, 'repo')) });
    });

    it('a value that is not an absolute path means the default folder, not the next settings file', async () => {
      await settings(join(home, '.claude', 'settings.json'), '~/user');
      for (const bad of ['relative/dir', '~/../escape', '~', '']) {
        await settings(join(project, '.claude', 'settings.json'), bad);
        expect(await claudeMemoryDir(project, { home, env })).toMatchObject({ source: 'default' });
      }
    });

    it('CLAUDE_COWORK_MEMORY_PATH_OVERRIDE beats every setting', async () => {
      await settings(join(project, '.claude', 'settings.local.json'), '~/local');
      const location = await claudeMemoryDir(project, { home, env: { CLAUDE_COWORK_MEMORY_PATH_OVERRIDE: join(root, 'cowork') } });
      expect(location).toMatchObject({ dir: join(root, 'cowork'), source: 'env' });
    });

    it('ignores a settings file that is not JSON', async () => {
      await writeFile(join(project, '.claude', 'settings.json'), '{ not json');
      await settings(join(home, '.claude', 'settings.json'), '~/user');
      expect((await claudeMemoryDir(project, { home, env })).dir).toBe(join(home, 'user'));
    });
  });
});
