import { chmod, lutimes, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandoffStore, MemoryIndex, nodeFs, type FileSystem } from '../../src/index.js';
import { tempDir } from '../helpers.js';

const OLD = new Date(Date.now() - 30 * 86_400_000);

describe('hostile directory contents (real disk)', () => {
  let sandbox: Awaited<ReturnType<typeof tempDir>>;
  let dir: string;
  let outside: string;
  const store = (options: { fs?: FileSystem; onWarning?: (message: string) => void } = {}) =>
    new HandoffStore({ dir, durable: false, onWarning: () => {}, ...options });

  beforeEach(async () => {
    sandbox = await tempDir();
    dir = join(sandbox.root, 'handoffs');
    outside = join(sandbox.root, 'outside');
    await mkdir(dir, { mode: 0o700 });
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'do not read me');
  });
  afterEach(() => sandbox.dispose());

  it('ignores foreign files and directories, and keeps them', async () => {
    await writeFile(join(dir, 'notes.md'), 'mine');
    await writeFile(join(dir, 'README'), 'mine');
    await mkdir(join(dir, '2026-02-27_143022_a-directory.md'));
    await mkdir(join(dir, '2026-02-27_143022_old_done.md'));
    await writeFile(join(dir, '2026-02-27_143022_real.md'), 'real');
    const { handoffs } = await store().consume();
    expect(handoffs.map((handoff) => handoff.body)).toEqual(['real']);
    await store().cleanup({ olderThanDays: 0 });
    expect((await readdir(dir)).sort()).toEqual(
      ['2026-02-27_143022_a-directory.md', '2026-02-27_143022_old_done.md', 'README', 'notes.md'].sort(),
    );
  });

  it('never reads through a symlink named like a pending handoff, nor claims it', async () => {
    await symlink(join(outside, 'secret.txt'), join(dir, '2026-02-27_143022_trap.md'));
    await symlink(outside, join(dir, '2026-02-27_143023_dirtrap.md'));
    expect(await store().list()).toEqual([]);
    const { handoffs, merged } = await store().consume();
    expect(handoffs).toEqual([]);
    expect(merged).not.toContain('do not read me');
    expect((await readdir(dir)).sort()).toEqual(['2026-02-27_143022_trap.md', '2026-02-27_143023_dirtrap.md']);
    await expect(store().read('2026-02-27_143022_trap.md')).rejects.toMatchObject({ code: 'IO', cause: expect.objectContaining({ code: 'ELOOP' }) });
  });

  it('cleanup deletes an old symlink named like a consumed handoff, never its target', async () => {
    const link = join(dir, '2026-01-01_000000_trap_done.md');
    await symlink(join(outside, 'secret.txt'), link);
    await lutimes(link, OLD, OLD);
    const { removed } = await store().cleanup();
    expect(removed).toEqual(['2026-01-01_000000_trap_done.md']);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('do not read me');
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves an unreadable handoff pending and says so, delivering the others', async () => {
    await writeFile(join(dir, '2026-02-27_143022_locked.md'), 'locked');
    await writeFile(join(dir, '2026-02-27_143023_open.md'), 'open');
    // Root reads anything, so the denial comes from the adapter, as a non-root user would see it.
    const base = nodeFs();
    const denying: FileSystem = {
      ...base,
      readFile: (path) =>
        path.includes('locked') ? Promise.reject(Object.assign(new Error('denied'), { code: 'EACCES' })) : base.readFile(path),
    };
    const { handoffs, skipped } = await store({ fs: denying }).consume();
    expect(handoffs.map((handoff) => handoff.body)).toEqual(['open']);
    expect(skipped).toEqual([{ name: '2026-02-27_143022_locked.md', reason: 'unreadable', code: 'EACCES' }]);
    const pending = (await store().list()).map((handoff) => handoff.name);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatch(/^2026-02-27_143022_locked(~[a-z0-9]+)?\.md$/);
    expect((await store().consume()).handoffs.map((handoff) => handoff.body)).toEqual(['locked']);
  });

  it.skipIf(process.getuid?.() === 0)('with real permissions: an unreadable file stays pending', async () => {
    await writeFile(join(dir, '2026-02-27_143022_locked.md'), 'locked');
    await chmod(join(dir, '2026-02-27_143022_locked.md'), 0o000);
    const { handoffs, skipped } = await store().consume();
    expect(handoffs).toEqual([]);
    expect(skipped[0]).toMatchObject({ reason: 'unreadable', code: 'EACCES' });
  });

  it('ignores names that are not valid UTF-8 and keeps them', async () => {
    const raw = Buffer.concat([Buffer.from(join(dir, '2026-02-27_143022_')), Buffer.from([0xff, 0xfe]), Buffer.from('.md')]);
    await writeFile(raw, 'latin-1 name');
    await writeFile(join(dir, '2026-02-27_143023_fine.md'), 'fine');
    expect((await store().consume()).handoffs.map((handoff) => handoff.body)).toEqual(['fine']);
    await store().cleanup({ olderThanDays: 0 });
    expect(readdirSync(dir, { encoding: 'buffer' }).some((name) => name.includes(0xff))).toBe(true);
  });

  it('warns once when the directory is writable by group or others', async () => {
    await chmod(dir, 0o777);
    const warnings: string[] = [];
    const watched = store({ onWarning: (message) => warnings.push(message) });
    await watched.list();
    await watched.consume();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/writable by group or others \(mode 777\)/);
    await chmod(dir, 0o700);
    const quiet: string[] = [];
    await store({ onWarning: (message) => quiet.push(message) }).list();
    expect(quiet).toEqual([]);
  });

  it('works when the handoffs directory is itself a symlink (dotfiles setups)', async () => {
    const real = join(sandbox.root, 'real-handoffs');
    await mkdir(real, { mode: 0o700 });
    const linked = join(sandbox.root, 'linked');
    await symlink(real, linked);
    const viaLink = new HandoffStore({ dir: linked, durable: false });
    await viaLink.write({ slug: 'x', body: 'through a link' });
    expect((await viaLink.consume()).handoffs.map((handoff) => handoff.body)).toEqual(['through a link']);
    expect((await readdir(real))[0]).toMatch(/_done\.md$/);
  });

  it('a topic symlink pointing outside the memory directory is not read by MemoryIndex', async () => {
    const memoryDir = join(sandbox.root, 'memory');
    await mkdir(memoryDir);
    await symlink(join(outside, 'secret.txt'), join(memoryDir, 'leak.md'));
    const memory = await MemoryIndex.open({ dir: memoryDir });
    await expect(memory.read('leak')).rejects.toMatchObject({ code: 'IO' });
    expect((await memory.search('secret', { bodies: true }))).toEqual([]);
  });
});

describe('security defaults', () => {
  it('creates the directory 0700 and handoffs 0600 on real disk', async () => {
    const sandbox = await tempDir();
    try {
      const dir = join(sandbox.root, 'a', 'b', 'handoffs');
      const { path } = await new HandoffStore({ dir }).write({ slug: 's', body: 'secret' });
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    } finally {
      await sandbox.dispose();
    }
  });

  it('never starts a shell; only codex-trust.ts (the user\'s own codex, to record hook trust) and run-git.ts (the git store) start a process', () => {
    const root = join(import.meta.dirname, '..', '..', 'src');
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (entry.name.endsWith('.ts')) sources.push(join(dir, entry.name));
      }
    };
    walk(root);
    expect(sources.length).toBeGreaterThan(10);
    // `handoffs init --agent codex` asks the user's own `codex app-server` to record trust for the
    // hooks it installed, as Codex's own hook dialog does; the git store runs the user's own git.
    // Nothing else starts a process.
    const runner = join(root, 'backends', 'git', 'run-git.ts');
    const allowed = new Set([join(root, 'agents', 'codex-trust.ts'), runner]);
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      // Never through a shell: no exec/execSync, no `shell: true`; arguments as arrays only.
      expect(text, file).not.toMatch(/\bexecSync\b|(?<![.\w])exec\(|shell:\s*true/);
      if (!allowed.has(file)) expect(text, file).not.toMatch(/child_process|\bspawn\(|\bexecFile\(|\bfork\(/);
    }
    for (const file of allowed) expect(readFileSync(file, 'utf8'), file).toMatch(/child_process/);
    // The git runner: execFile with an argument array, no shell, nothing else from child_process.
    const text = readFileSync(runner, 'utf8');
    expect(text).toMatch(/^import \{ execFile \} from 'node:child_process';$/m);
    expect(text.match(/child_process/g)).toHaveLength(1);
    expect(text).not.toMatch(/\bexec\(|execSync|spawn|fork\(|shell\s*:/);
    expect(text.match(/execFile\(/g)).toHaveLength(1);
    expect(text).toMatch(/execFile\(\s*invocation\.git,\s*\[\.\.\.invocation\.args\]/);
  });

  it('the git store runs only the git executable it was given', async () => {
    const { gitStore, HandoffStore } = await import('../../src/index.js');
    const sandbox = await tempDir();
    try {
      // A "git" that is not there: the store reports it, and starts nothing else instead.
      const store = new HandoffStore({ store: gitStore({ remote: 'file:///nowhere.git', git: join(sandbox.root, 'no-such-git'), dir: join(sandbox.root, 'q') }) });
      await expect(store.list()).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining('no-such-git') });
    } finally {
      await sandbox.dispose();
    }
  });
});

describe('MemoryIndex never reaches outside its folder through a symbolic link to a folder', () => {
  it('read, upsert, remove and search refuse or skip a topic under a symlinked folder', async () => {
    const { mkdtemp, mkdir: makeDir, writeFile: write, symlink, readdir: list, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { MemoryIndex } = await import('../../src/index.js');
    const root = await mkdtemp(join(tmpdir(), 'handoffs-memory-link-'));
    try {
      const outside = join(root, 'outside');
      const memory = join(root, 'memory');
      await makeDir(outside);
      await makeDir(memory);
      await write(join(outside, 'secret.md'), 'outside text\n');
      await symlink(outside, join(memory, 'notes'));
      await write(join(memory, 'MEMORY.md'), '# Memory\n\n## S\n\n- [Secret](notes/secret.md) — planted\n');
      const index = await MemoryIndex.open({ dir: memory });
      await expect(index.read('notes/secret')).rejects.toMatchObject({ code: 'INVALID_TOPIC' });
      await expect(index.upsert({ topic: 'notes/planted', section: 'S', summary: 'x', body: 'y' })).rejects.toMatchObject({ code: 'INVALID_TOPIC' });
      await expect(index.remove('notes/secret')).rejects.toMatchObject({ code: 'INVALID_TOPIC' });
      // The only word of the outside file: found only if its body were read through the link.
      expect(await index.search('outside', { bodies: true })).toEqual([]);
      expect((await list(outside)).sort()).toEqual(['secret.md']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
