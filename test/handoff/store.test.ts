import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandoffError, HandoffStore, type HandoffStoreOptions } from '../../src/index.js';
import { adapters, bytes, codeOf, text, type Sandbox } from '../helpers.js';

const T0 = Date.UTC(2026, 1, 27, 14, 30, 22, 500);
const DAY = 86_400_000;

describe.each(adapters)('HandoffStore on $name', ({ sandbox }) => {
  let box: Sandbox;
  let dir: string;
  let clock: number;
  const store = (options: Partial<HandoffStoreOptions> = {}) =>
    new HandoffStore({ dir, fs: box.fs, now: () => new Date(clock), timeZone: 'utc', ...options });
  const names = async () => (await box.fs.readdir(dir)).map((entry) => entry.name).sort();
  const put = (name: string, body: string) => box.fs.createFile(join(dir, name), bytes(body), { mode: 0o600, sync: false });

  beforeEach(async () => {
    box = await sandbox();
    dir = join(box.root, 'handoffs');
    clock = T0;
  });
  afterEach(() => box.dispose());

  describe('write', () => {
    it('publishes a file named YYYY-MM-DD_HHMMSS_slug.md with the body', async () => {
      const written = await store().write({ slug: 'Blog pipeline fix', body: 'Done: X\nNext: Y\n' });
      expect(written).toEqual({
        name: '2026-02-27_143022_blog-pipeline-fix.md',
        path: join(dir, '2026-02-27_143022_blog-pipeline-fix.md'),
        slug: 'blog-pipeline-fix',
        createdAt: new Date(T0),
        done: false,
      });
      expect(text(await box.fs.readFile(written.path))).toBe('Done: X\nNext: Y\n');
    });

    it('creates the directory 0700 and files 0600', async () => {
      const { path } = await store().write({ slug: 's', body: 'secret' });
      expect((await box.fs.stat(dir)).mode & 0o777).toBe(0o700);
      expect((await box.fs.stat(path)).mode & 0o777).toBe(0o600);
    });

    it('keeps the mode of a directory that already exists', async () => {
      await box.fs.mkdir(dir, { recursive: true, mode: 0o750 });
      await store().write({ slug: 's', body: 'x' });
      expect((await box.fs.stat(dir)).mode & 0o777).toBe(0o750);
    });

    it('never overwrites: same second and slug gets -2, -3', async () => {
      const s = store();
      const written = [];
      for (let index = 0; index < 3; index++) written.push(await s.write({ slug: 'fix', body: `body ${index}` }));
      expect(written.map((handoff) => handoff.name)).toEqual([
        '2026-02-27_143022_fix.md',
        '2026-02-27_143022_fix-2.md',
        '2026-02-27_143022_fix-3.md',
      ]);
      for (const [index, handoff] of written.entries()) expect(text(await box.fs.readFile(handoff.path))).toBe(`body ${index}`);
    });

    it('does not reuse a name whose consumed form exists', async () => {
      const s = store();
      await s.write({ slug: 'fix', body: 'first' });
      await s.consume();
      const second = await s.write({ slug: 'fix', body: 'second' });
      expect(second.name).toBe('2026-02-27_143022_fix-2.md');
      expect(text(await box.fs.readFile(join(dir, '2026-02-27_143022_fix_done.md')))).toBe('first');
    });

    it('never shows a temporary file to list and leaves none behind', async () => {
      const s = store();
      await Promise.all(Array.from({ length: 20 }, (_, index) => s.write({ slug: 'p', body: String(index) })));
      expect((await names()).filter((name) => name.startsWith('.'))).toEqual([]);
      expect(await s.list()).toHaveLength(20);
    });

    it('writes front matter from meta and reads it back', async () => {
      const s = store();
      const { name } = await s.write({ slug: 'm', body: 'body\n', meta: { project: '/repo', tags: ['a'] } });
      expect(await s.read(name)).toMatchObject({ body: 'body\n', meta: { project: '/repo', tags: ['a'] }, done: false });
    });

    it('accepts a Uint8Array body byte for byte', async () => {
      const body = new Uint8Array([0xe2, 0x9c, 0x93, 10]);
      const { path } = await store().write({ slug: 'bytes', body });
      expect(Buffer.from(await box.fs.readFile(path)).equals(Buffer.from(body))).toBe(true);
    });

    it.each([
      [{ slug: '', body: 'x' }, 'INVALID_SLUG'],
      [{ slug: 7, body: 'x' }, 'INVALID_SLUG'],
      [{ slug: 'ok', body: 7 }, 'INVALID_BODY'],
      [{ slug: 'ok', body: 'x', meta: { 'no spaces': 1 } }, 'INVALID_META'],
      [null, 'INVALID_OPTION'],
    ])('rejects %j with %s and writes nothing', async (input, code) => {
      await expect(store().write(input as never)).rejects.toMatchObject({ name: 'HandoffError', code });
      expect(await codeOf(box.fs.readdir(dir))).toBe('ENOENT');
    });

    it('recreates the directory if it is removed between writes', async () => {
      const s = store();
      const first = await s.write({ slug: 'a', body: 'x' });
      await box.fs.unlink(first.path);
      await box.removeDir(dir);
      await expect(s.write({ slug: 'b', body: 'y' })).resolves.toMatchObject({ slug: 'b' });
    });

    it('wraps filesystem failures as IO with the cause', async () => {
      const blocked = new HandoffStore({ dir: join(box.root, 'file'), fs: box.fs });
      await box.fs.createFile(join(box.root, 'file'), bytes('not a dir'), { mode: 0o600, sync: false });
      const error = await blocked.write({ slug: 'x', body: 'y' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HandoffError);
      expect(error).toMatchObject({ code: 'IO', cause: expect.objectContaining({ code: expect.any(String) }) });
    });
  });

  describe('list and read', () => {
    it('returns [] when the directory does not exist', async () => {
      expect(await store().list()).toEqual([]);
    });

    it('lists pending handoffs oldest first and skips everything else', async () => {
      const s = store();
      await box.fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await put('2026-02-27_150000_later.md', 'later');
      await put('2026-02-27_140000_earlier.md', 'earlier');
      await put('2026-02-27_130000_consumed_done.md', 'done');
      await put('.handoff-1-0-abcd.tmp', 'partial');
      await put('notes.md', 'foreign');
      await put('2026-02-27_120000_x.md.bak', 'foreign');
      await box.fs.mkdir(join(dir, '2026-02-27_110000_dir.md'), { recursive: false, mode: 0o700 });
      expect((await s.list()).map((handoff) => handoff.name)).toEqual(['2026-02-27_140000_earlier.md', '2026-02-27_150000_later.md']);
      expect((await s.list({ consumed: true })).map((handoff) => [handoff.name, handoff.done])).toEqual([
        ['2026-02-27_130000_consumed_done.md', true],
        ['2026-02-27_140000_earlier.md', false],
        ['2026-02-27_150000_later.md', false],
      ]);
    });

    it('reads a pending or consumed handoff without consuming it', async () => {
      const s = store();
      const { name } = await s.write({ slug: 'peek', body: 'hello' });
      expect(await s.read(name)).toMatchObject({ name, body: 'hello', done: false, meta: {} });
      expect(await s.list()).toHaveLength(1);
      const { handoffs } = await s.consume();
      expect(await s.read(handoffs[0]!.doneName)).toMatchObject({ body: 'hello', done: true });
    });

    it.each(['../etc/passwd', 'notes.md', '', '/abs/2026-02-27_143022_x.md'])('read(%j) is INVALID_NAME', async (name) => {
      await expect(store().read(name)).rejects.toMatchObject({ code: 'INVALID_NAME' });
    });

    it('read of a missing handoff is NOT_FOUND', async () => {
      await expect(store().read('2026-02-27_143022_nope.md')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('consume', () => {
    it('claims every pending handoff, merges them oldest first, and renames each to _done.md', async () => {
      const s = store();
      await s.write({ slug: 'first', body: 'one' });
      clock += 5000;
      await s.write({ slug: 'second', body: 'two' });
      const { handoffs, merged, skipped } = await s.consume();
      expect(handoffs.map((handoff) => [handoff.name, handoff.doneName, handoff.body])).toEqual([
        ['2026-02-27_143022_first.md', '2026-02-27_143022_first_done.md', 'one'],
        ['2026-02-27_143027_second.md', '2026-02-27_143027_second_done.md', 'two'],
      ]);
      expect(merged).toBe('## 2026-02-27 14:30:22 · first\n\none\n\n## 2026-02-27 14:30:27 · second\n\ntwo\n');
      expect(skipped).toEqual([]);
      expect(await names()).toEqual(['2026-02-27_143022_first_done.md', '2026-02-27_143027_second_done.md']);
    });

    it('is idempotent: a second consume returns nothing and does not throw', async () => {
      const s = store();
      await s.write({ slug: 'x', body: 'x' });
      await s.consume();
      expect(await s.consume()).toEqual({ handoffs: [], merged: '', skipped: [] });
    });

    it('returns nothing when the directory does not exist', async () => {
      expect(await store().consume()).toEqual({ handoffs: [], merged: '', skipped: [] });
    });

    it('sets the mtime of a consumed file to the time of consumption', async () => {
      const s = store();
      await s.write({ slug: 'x', body: 'x' });
      clock += 3 * DAY;
      const { handoffs } = await s.consume();
      expect((await box.fs.lstat(handoffs[0]!.path)).mtimeMs).toBe(clock);
    });

    it('gives each handoff to exactly one of many concurrent consumers', async () => {
      const s = store();
      for (let index = 0; index < 100; index++) await s.write({ slug: `h${index}`, body: `body ${index}` });
      const results = await Promise.all(Array.from({ length: 6 }, () => store().consume()));
      const claimed = results.flatMap((result) => result.handoffs.map((handoff) => handoff.body));
      expect(claimed).toHaveLength(100);
      expect(new Set(claimed).size).toBe(100);
    });

    it('never overwrites a consumed handoff that has the same name as a pending one', async () => {
      // Both files exist only if a writer reused the name in the window of a claim; simulate it.
      await box.fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await put('2026-02-27_143022_fix_done.md', 'consumed earlier');
      await put('2026-02-27_143022_fix.md', 'pending now');
      const { handoffs } = await store().consume();
      expect(handoffs.map((handoff) => [handoff.doneName, handoff.body])).toEqual([['2026-02-27_143022_fix-2_done.md', 'pending now']]);
      expect(text(await box.fs.readFile(join(dir, '2026-02-27_143022_fix_done.md')))).toBe('consumed earlier');
    });

    it('finishes the claim of a consumer that died between link and unlink, without returning it twice', async () => {
      await box.fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await put('2026-02-27_143022_half.md', 'claimed by a dead consumer');
      await box.fs.link(join(dir, '2026-02-27_143022_half.md'), join(dir, '2026-02-27_143022_half_done.md'));
      expect((await store().consume()).handoffs).toEqual([]);
      expect(await names()).toEqual(['2026-02-27_143022_half_done.md']);
    });

    it('reads hand-written files that follow the seed pattern', async () => {
      await box.fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await put('2026-02-27_143022_Written_By_Hand.md', 'from a shell');
      const { handoffs } = await store().consume();
      expect(handoffs.map((handoff) => [handoff.doneName, handoff.body])).toEqual([
        ['2026-02-27_143022_Written_By_Hand_done.md', 'from a shell'],
      ]);
    });

    it('applies a context budget to merged text but returns every body whole', async () => {
      const s = store();
      for (let index = 0; index < 5; index++) {
        clock += 1000;
        await s.write({ slug: `h${index}`, body: Array.from({ length: 40 }, (_, line) => `h${index} ${line}`).join('\n') });
      }
      const { merged, handoffs } = await s.consume({ maxLines: 60 });
      expect(merged.split('\n').length).toBeLessThanOrEqual(61);
      expect(merged).toContain('Context budget');
      expect(handoffs.every((handoff) => handoff.body.split('\n').length === 40)).toBe(true);
    });
  });

  describe('project scoping', () => {
    it('claims its own project and unscoped handoffs, and leaves other projects pending', async () => {
      const s = store();
      await s.write({ slug: 'mine', body: 'a', meta: { project: '/work/a' } });
      await s.write({ slug: 'theirs', body: 'b', meta: { project: '/work/b' } });
      await s.write({ slug: 'anyone', body: 'c' });
      const forA = await s.consume({ project: '/work/a' });
      expect(forA.handoffs.map((handoff) => handoff.slug).sort()).toEqual(['anyone', 'mine']);
      expect(forA.skipped).toEqual([{ name: '2026-02-27_143022_theirs.md', reason: 'other-project' }]);
      expect((await s.list()).map((handoff) => handoff.slug)).toEqual(['theirs']);
      const forB = await s.consume({ project: '/work/b/' });
      expect(forB.handoffs.map((handoff) => handoff.body)).toEqual(['b']);
    });
  });

  describe('cleanup', () => {
    it('removes consumed handoffs past the window, counted from consumption, and nothing else', async () => {
      const s = store();
      await s.write({ slug: 'old', body: 'x' });
      await s.write({ slug: 'pending', body: 'x' });
      clock += 30 * DAY;
      await s.consume().then(() => s.write({ slug: 'pending-2', body: 'y' }));
      await put('notes_done.md', 'foreign');
      clock += 6 * DAY;
      expect(await s.cleanup()).toEqual({ removed: [], temporaryRemoved: [] });
      clock += 2 * DAY;
      expect((await s.cleanup()).removed).toEqual(['2026-02-27_143022_old_done.md', '2026-02-27_143022_pending_done.md']);
      expect(await names()).toEqual(['2026-03-29_143022_pending-2.md', 'notes_done.md']);
    });

    it('takes olderThanDays, and rejects a bad one with INVALID_OPTION', async () => {
      const s = store();
      await s.write({ slug: 'x', body: 'x' });
      await s.consume();
      clock += DAY + 1;
      expect((await s.cleanup({ olderThanDays: 1 })).removed).toHaveLength(1);
      await expect(s.cleanup({ olderThanDays: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    });

    it('sweeps temporary files of killed writers only once they are stale', async () => {
      const s = store({ staleTempMs: 60_000 });
      await box.fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await put('.handoff-123-0-deadbeef.tmp', 'half written');
      await box.fs.utimes(join(dir, '.handoff-123-0-deadbeef.tmp'), new Date(clock), new Date(clock));
      expect((await s.cleanup()).temporaryRemoved).toEqual([]);
      clock += 61_000;
      expect((await s.cleanup()).temporaryRemoved).toEqual(['.handoff-123-0-deadbeef.tmp']);
    });
  });

  describe('legacy single file', () => {
    it('migrates the legacy file once as a consumed handoff', async () => {
      const legacyFile = join(box.root, 'context-handoff.md');
      await box.fs.createFile(legacyFile, bytes('old style context'), { mode: 0o644, sync: false });
      const when = new Date(Date.UTC(2026, 1, 20, 8, 0, 0));
      await box.fs.utimes(legacyFile, when, when);
      const s = store({ legacyFile });
      await s.write({ slug: 'new', body: 'new style' });
      const first = await s.consume();
      expect(first.handoffs.map((handoff) => [handoff.doneName, handoff.body, handoff.legacy])).toEqual([
        ['2026-02-20_080000_context-handoff_done.md', 'old style context', true],
        ['2026-02-27_143022_new_done.md', 'new style', false],
      ]);
      expect(first.merged.indexOf('old style')).toBeLessThan(first.merged.indexOf('new style'));
      expect(await codeOf(box.fs.lstat(legacyFile))).toBe('ENOENT');
      expect((await box.fs.stat(first.handoffs[0]!.path)).mode & 0o777).toBe(0o600);
      expect((await s.consume()).handoffs).toEqual([]);
    });

    it('ignores a missing or empty legacy file', async () => {
      const legacyFile = join(box.root, 'context-handoff.md');
      expect((await store({ legacyFile }).consume()).handoffs).toEqual([]);
      await box.fs.createFile(legacyFile, new Uint8Array(), { mode: 0o644, sync: false });
      expect((await store({ legacyFile }).consume()).handoffs).toEqual([]);
    });
  });

  describe('start and end', () => {
    it('end writes; start consumes, migrates and cleans up in one call', async () => {
      const legacyFile = join(box.root, 'context-handoff.md');
      const s = store({ legacyFile });
      await s.end({ slug: 'old', body: 'old' });
      await s.start();
      clock += 8 * DAY;
      await s.end({ slug: 'session', body: 'from the last session' });
      await box.fs.createFile(legacyFile, bytes('legacy'), { mode: 0o644, sync: false });
      const result = await s.start();
      expect(result.handoffs.map((handoff) => handoff.body).sort()).toEqual(['from the last session', 'legacy']);
      expect(result.cleanup.removed).toEqual(['2026-02-27_143022_old_done.md']);
    });
  });

  it('rejects bad constructor options with INVALID_OPTION', () => {
    expect(() => new HandoffStore({} as never)).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => new HandoffStore({ dir: '/x', timeZone: 'mars' as never })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => new HandoffStore({ dir: '/x', retentionDays: -2 })).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});
