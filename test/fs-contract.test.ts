import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adapters, bytes, codeOf, text, type Sandbox } from './helpers.js';

// The one suite every adapter must pass: it pins down exactly what the stores rely on.
describe.each(adapters)('FileSystem contract: $name', ({ sandbox }) => {
  let box: Sandbox;
  let path: (name: string) => string;
  beforeEach(async () => {
    box = await sandbox();
    path = (name) => join(box.root, name);
  });
  afterEach(() => box.dispose());

  it('creates a file exclusively and reads it back', async () => {
    await box.fs.createFile(path('a'), bytes('hello'), { mode: 0o600, sync: true });
    expect(text(await box.fs.readFile(path('a')))).toBe('hello');
    expect((await box.fs.lstat(path('a'))).mode & 0o777).toBe(0o600);
  });

  it('rejects EEXIST on exclusive create and leaves the existing file untouched', async () => {
    await box.fs.createFile(path('a'), bytes('first'), { mode: 0o600, sync: false });
    expect(await codeOf(box.fs.createFile(path('a'), bytes('second'), { mode: 0o600, sync: false }))).toBe('EEXIST');
    expect(text(await box.fs.readFile(path('a')))).toBe('first');
  });

  it('writes large data completely', async () => {
    const large = new Uint8Array(3 * 1024 * 1024).map((_, index) => index % 251);
    await box.fs.createFile(path('big'), large, { mode: 0o600, sync: false });
    expect(Buffer.from(await box.fs.readFile(path('big'))).equals(Buffer.from(large))).toBe(true);
  });

  it('links a second name to the same file and rejects EEXIST when the name is taken', async () => {
    await box.fs.createFile(path('a'), bytes('one'), { mode: 0o600, sync: false });
    await box.fs.createFile(path('b'), bytes('two'), { mode: 0o600, sync: false });
    await box.fs.link(path('a'), path('c'));
    const [a, c] = [await box.fs.lstat(path('a')), await box.fs.lstat(path('c'))];
    expect([c.dev, c.ino]).toEqual([a.dev, a.ino]);
    expect(await codeOf(box.fs.link(path('a'), path('b')))).toBe('EEXIST');
    expect(text(await box.fs.readFile(path('b')))).toBe('two');
    expect(await codeOf(box.fs.link(path('missing'), path('d')))).toBe('ENOENT');
  });

  it('renames once; a second rename of the same source rejects ENOENT', async () => {
    await box.fs.createFile(path('a'), bytes('x'), { mode: 0o600, sync: false });
    await box.fs.rename(path('a'), path('b'));
    expect(await codeOf(box.fs.rename(path('a'), path('b')))).toBe('ENOENT');
    expect(text(await box.fs.readFile(path('b')))).toBe('x');
  });

  it('rename replaces an existing target atomically', async () => {
    await box.fs.createFile(path('a'), bytes('new'), { mode: 0o600, sync: false });
    await box.fs.createFile(path('b'), bytes('old'), { mode: 0o600, sync: false });
    await box.fs.rename(path('a'), path('b'));
    expect(text(await box.fs.readFile(path('b')))).toBe('new');
  });

  it('unlinks a name, rejecting ENOENT the second time', async () => {
    await box.fs.createFile(path('a'), bytes('x'), { mode: 0o600, sync: false });
    await box.fs.unlink(path('a'));
    expect(await codeOf(box.fs.unlink(path('a')))).toBe('ENOENT');
    expect(await codeOf(box.fs.lstat(path('a')))).toBe('ENOENT');
  });

  it('lists entries with their own kinds, whatever the creation order', async () => {
    const names = ['m', 'z', 'a', 'q'];
    for (const name of names) await box.fs.createFile(path(name), bytes(name), { mode: 0o600, sync: false });
    await box.fs.mkdir(path('sub'), { recursive: false, mode: 0o700 });
    const entries = await box.fs.readdir(box.root);
    expect(entries.map((entry) => entry.name).sort()).toEqual([...names, 'sub'].sort());
    expect(entries.find((entry) => entry.name === 'sub')?.kind).toBe('directory');
    expect(entries.filter((entry) => entry.kind === 'file')).toHaveLength(4);
  });

  it('sets modification times with utimes', async () => {
    await box.fs.createFile(path('a'), bytes('x'), { mode: 0o600, sync: false });
    const when = new Date('2026-01-02T03:04:05Z');
    await box.fs.utimes(path('a'), when, when);
    expect((await box.fs.lstat(path('a'))).mtimeMs).toBe(when.getTime());
  });

  it('sets permission bits with chmod', async () => {
    await box.fs.createFile(path('a'), bytes('x'), { mode: 0o644, sync: false });
    await box.fs.chmod(path('a'), 0o600);
    expect((await box.fs.stat(path('a'))).mode & 0o777).toBe(0o600);
  });

  it('creates nested directories with a mode and accepts an existing one', async () => {
    await box.fs.mkdir(path('x/y/z'), { recursive: true, mode: 0o700 });
    await box.fs.mkdir(path('x/y/z'), { recursive: true, mode: 0o700 });
    const info = await box.fs.stat(path('x/y/z'));
    expect(info.kind).toBe('directory');
    expect(info.mode & 0o777).toBe(0o700);
    expect(await codeOf(box.fs.mkdir(path('x'), { recursive: false, mode: 0o700 }))).toBe('EEXIST');
  });

  it('syncs a directory', async () => {
    await expect(box.fs.syncDir(box.root)).resolves.toBeUndefined();
  });

  describe('symbolic links', () => {
    // The adapters' own symlink creation is not part of the interface; reach the backing fs.
    async function symlink(target: string, name: string): Promise<void> {
      const memory = (box.fs as { volume?: { promises: { symlink(a: string, b: string): Promise<void> } } }).volume;
      if (memory) await memory.promises.symlink(target, name);
      else await (await import('node:fs/promises')).symlink(target, name);
    }

    it('readFile refuses to follow a link (ELOOP); lstat and readdir see the link itself', async () => {
      await box.fs.createFile(path('target'), bytes('secret'), { mode: 0o600, sync: false });
      await symlink(path('target'), path('link'));
      expect(await codeOf(box.fs.readFile(path('link')))).toBe('ELOOP');
      expect((await box.fs.lstat(path('link'))).kind).toBe('symlink');
      expect((await box.fs.stat(path('link'))).kind).toBe('file');
      expect((await box.fs.readdir(box.root)).find((entry) => entry.name === 'link')?.kind).toBe('symlink');
    });

    it('unlink removes the link, never its target', async () => {
      await box.fs.createFile(path('target'), bytes('keep'), { mode: 0o600, sync: false });
      await symlink(path('target'), path('link'));
      await box.fs.unlink(path('link'));
      expect(text(await box.fs.readFile(path('target')))).toBe('keep');
    });

    it('exclusive create does not follow a dangling link', async () => {
      await symlink(path('nowhere'), path('link'));
      expect(await codeOf(box.fs.createFile(path('link'), bytes('x'), { mode: 0o600, sync: false }))).toBe('EEXIST');
      expect(await codeOf(box.fs.lstat(path('nowhere')))).toBe('ENOENT');
    });
  });
});
