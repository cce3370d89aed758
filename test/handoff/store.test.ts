import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandoffError, HandoffStore, formatStamp, type FileSystem, type HandoffStoreOptions } from '../../src/index.js';
import { adapters, bytes, codeOf, text, type Sandbox } from '../helpers.js';

/** A consumed name: the pending name with a `~<batch>-<tag>` before `_done.md`. */
const consumedForm = (pending: string) => new RegExp(`^${pending.replace(/\.md$/, '').replace(/[.]/g, '\\.')}~[a-z0-9]+-[a-z0-9]+_done\\.md$`);

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
        state: 'pending',
      });
      expect(text(await box.fs.readFile(written.path))).toBe('---\ncreated: "2026-02-27T14:30:22.500Z"\n---\nDone: X\nNext: Y\n');
      expect((await store().read(written.name)).body).toBe('Done: X\nNext: Y\n');
    });

    it('records the instant with its UTC offset, so the time read back is the time written', async () => {
      const written = await store({ timeZone: 'local' }).write({ slug: 'when', body: 'x' });
      const read = await store().read(written.name);
      expect(read.createdAt).toEqual(new Date(T0));
      expect(read.meta).toEqual({});
    });

    it('reads back a body that begins with a front-matter block byte for byte, and does not scope by it', async () => {
      const body = '---\nproject: /somewhere/else\ntitle: x\n---\nthe rest\n';
      const { name } = await store().write({ slug: 'head', body });
      expect(await store().read(name)).toMatchObject({ body, meta: {} });
      const { handoffs } = await store().consume({ project: '/my/project' });
      expect(handoffs.map((handoff) => handoff.body)).toEqual([body]);
    });

    it('rejects meta.created: the store records the instant itself', async () => {
      await expect(store().write({ slug: 'x', body: 'y', meta: { created: 'yesterday' } })).rejects.toMatchObject({ code: 'INVALID_META' });
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
      for (const [index, handoff] of written.entries()) expect((await s.read(handoff.name)).body).toBe(`body ${index}`);
    });

    it('a name freed by a consumed handoff may be written again; the two never touch each other', async () => {
      await store().write({ slug: 'fix', body: 'first' });
      const first = await store().consume();
      const second = await store().write({ slug: 'fix', body: 'second' });
      expect(second.name).toBe('2026-02-27_143022_fix.md');
      const again = await store().consume();
      expect(first.handoffs[0]!.doneName).toMatch(consumedForm(second.name));
      expect(again.handoffs[0]!.doneName).toMatch(consumedForm(second.name));
      expect(again.handoffs[0]!.doneName).not.toBe(first.handoffs[0]!.doneName);
      expect((await store().read(first.handoffs[0]!.doneName)).body).toBe('first');
      expect((await store().read(again.handoffs[0]!.doneName)).body).toBe('second');
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
      const { path, name } = await store().write({ slug: 'bytes', body });
      const file = Buffer.from(await box.fs.readFile(path));
      expect(file.subarray(file.length - body.length).equals(Buffer.from(body))).toBe(true);
      expect((await store().read(name)).body).toBe('✓\n');
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
      expect(await s.read(name)).toMatchObject({ name, body: 'hello', done: false, state: 'pending', meta: {} });
      expect(await s.list()).toHaveLength(1);
      const { handoffs } = await s.consume();
      expect(await s.read(handoffs[0]!.doneName)).toMatchObject({ body: 'hello', done: true, state: 'consumed' });
    });

    it.each(['../etc/passwd', 'notes.md', '', '/abs/2026-02-27_143022_x.md'])('read(%j) is INVALID_NAME', async (name) => {
      await expect(store().read(name)).rejects.toMatchObject({ code: 'INVALID_NAME' });
    });

    it('read of a missing handoff is NOT_FOUND', async () => {
      await expect(store().read('2026-02-27_143022_nope.md')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('consume', () => {
    it('claims every pending handoff, merges them oldest first, and renames each to a consumed name of its own', async () => {
      const s = store();
      await s.write({ slug: 'first', body: 'one' });
      clock += 5000;
      await s.write({ slug: 'second', body: 'two' });
      const { handoffs, merged, skipped } = await s.consume();
      expect(handoffs.map((handoff) => [handoff.name, handoff.body, handoff.state])).toEqual([
        ['2026-02-27_143022_first.md', 'one', 'consumed'],
        ['2026-02-27_143027_second.md', 'two', 'consumed'],
      ]);
      for (const handoff of handoffs) expect(handoff.doneName).toMatch(consumedForm(handoff.name));
      expect(merged).toBe('## 2026-02-27 14:30:22 +00:00 · first\n\none\n\n## 2026-02-27 14:30:27 +00:00 · second\n\ntwo\n');
      expect(skipped).toEqual([]);
      expect(await names()).toEqual(handoffs.map((handoff) => handoff.doneName));
    });

    it('holds a claim under a hidden name until acknowledged, then moves it to its consumed name', async () => {
      const s = store();
      await s.write({ slug: 'held', body: 'x' });
      const claim = await s.claim({ session: 'session-1' });
      const [hidden] = await names();
      expect(hidden).toMatch(/^\.claim_[a-z0-9]+-[a-z0-9]+_[a-z0-9]+_\d+-[a-z0-9]+_2026-02-27_143022_held\.md$/);
      expect(claim.handoffs[0]).toMatchObject({ name: '2026-02-27_143022_held.md', state: 'claimed', path: join(dir, hidden!) });
      expect((await s.list()).map((ref) => [ref.name, ref.state])).toEqual([[hidden, 'claimed']]);
      const { handoffs } = await claim.acknowledge();
      expect(await names()).toEqual([handoffs[0]!.doneName]);
      expect(handoffs[0]!.doneName).toMatch(new RegExp(`~${claim.batch}-`));
    });

    it('is idempotent: a second consume returns nothing and does not throw', async () => {
      const s = store();
      await s.write({ slug: 'x', body: 'x' });
      await s.consume();
      expect(await s.consume()).toEqual({ handoffs: [], merged: '', skipped: [] });
    });

    it('takes over a claim whose holder died and delivers it again, marked redelivered', async () => {
      await store().write({ slug: 'orphan', body: 'claimed by a dead session' });
      const dead = store({ runtime: { pid: 424242, isAlive: () => false } });
      expect((await dead.claim({ leaseMs: 3_600_000 })).handoffs).toHaveLength(1);
      const next = await store({ runtime: { isAlive: (pid) => pid !== 424242 } }).claim();
      expect(next.handoffs.map((handoff) => [handoff.body, handoff.redelivered])).toEqual([['claimed by a dead session', true]]);
    });

    it('leaves a live holder its claim until the lease ends, then takes it over', async () => {
      await store().write({ slug: 'slow', body: 'x' });
      const holder = await store().claim({ leaseMs: 60_000 });
      expect((await store().claim()).handoffs).toEqual([]);
      clock += 60_000;
      const taker = await store().claim();
      expect(taker.handoffs.map((handoff) => handoff.redelivered)).toEqual([true]);
      expect((await holder.acknowledge()).lost.map((handoff) => handoff.name)).toEqual(['2026-02-27_143022_slow.md']);
      expect((await taker.acknowledge()).handoffs).toHaveLength(1);
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
      await box.fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await put('2026-02-27_143022_fix_done.md', 'consumed by an older version');
      await put('2026-02-27_143022_fix.md', 'pending now');
      const { handoffs } = await store().consume();
      expect(handoffs.map((handoff) => handoff.body)).toEqual(['pending now']);
      expect(handoffs[0]!.doneName).toMatch(consumedForm('2026-02-27_143022_fix.md'));
      expect(text(await box.fs.readFile(join(dir, '2026-02-27_143022_fix_done.md')))).toBe('consumed by an older version');
    });

    it('reads hand-written files that follow the seed pattern, in local time', async () => {
      await box.fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await put('2026-02-27_143022_Written_By_Hand.md', 'from a shell');
      const { handoffs } = await store().consume();
      expect(handoffs.map((handoff) => [handoff.body, handoff.createdAt])).toEqual([['from a shell', new Date(2026, 1, 27, 14, 30, 22)]]);
      expect(handoffs[0]!.doneName).toMatch(consumedForm('2026-02-27_143022_Written_By_Hand.md'));
    });

    it('consumes a hand-written name too long to take a tag, under a shorter consumed name', async () => {
      await box.fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const long = `2026-02-27_143022_${'a'.repeat(255 - 18 - 3)}.md`;
      expect(Buffer.byteLength(long)).toBe(255);
      await put(long, 'long name');
      const { handoffs, skipped } = await store().consume();
      expect(skipped).toEqual([]);
      expect(handoffs.map((handoff) => handoff.body)).toEqual(['long name']);
      expect(Buffer.byteLength(handoffs[0]!.doneName)).toBeLessThanOrEqual(255);
      expect(await names()).toEqual([handoffs[0]!.doneName]);
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
      const { removed } = await s.cleanup();
      expect(removed).toHaveLength(2);
      expect(removed[0]).toMatch(consumedForm('2026-02-27_143022_old.md'));
      expect(removed[1]).toMatch(consumedForm('2026-02-27_143022_pending.md'));
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
      expect(first.handoffs.map((handoff) => [handoff.name, handoff.body, handoff.legacy])).toEqual([
        [`${formatStamp(when, 'local')}_context-handoff.md`, 'old style context', true],
        ['2026-02-27_143022_new.md', 'new style', false],
      ]);
      expect(first.merged.indexOf('old style')).toBeLessThan(first.merged.indexOf('new style'));
      expect(await codeOf(box.fs.lstat(legacyFile))).toBe('ENOENT');
      expect((await box.fs.stat(first.handoffs[0]!.path)).mode & 0o777).toBe(0o600);
      expect((await s.consume()).handoffs).toEqual([]);
    });

    it('two sessions migrating a legacy file on another device at once deliver it once', async () => {
      const legacyDir = join(box.root, 'home');
      const legacyFile = join(legacyDir, 'context-handoff.md');
      await box.fs.mkdir(legacyDir, { recursive: true, mode: 0o700 });
      await box.fs.createFile(legacyFile, bytes('migrate me once'), { mode: 0o644, sync: false });
      // Nothing moves between the two folders but by copying, as across filesystems.
      const crossing = (from: string, to: string) => (from.startsWith(legacyDir) !== to.startsWith(legacyDir) ? 'EXDEV' : undefined);
      const otherDevice: FileSystem = {
        ...box.fs,
        rename: (from, to) => (crossing(from, to) ? Promise.reject(Object.assign(new Error('cross-device'), { code: 'EXDEV' })) : box.fs.rename(from, to)),
        link: (from, to) => (crossing(from, to) ? Promise.reject(Object.assign(new Error('cross-device'), { code: 'EXDEV' })) : box.fs.link(from, to)),
      };
      const results = await Promise.all([0, 1, 2].map(() => store({ fs: otherDevice, legacyFile }).start()));
      const delivered = results.flatMap((result) => result.handoffs.map((handoff) => handoff.body));
      expect(delivered).toEqual(['migrate me once']);
      expect(await codeOf(box.fs.lstat(legacyFile))).toBe('ENOENT');
      expect((await box.fs.readdir(legacyDir)).map((entry) => entry.name)).toEqual([]);
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
      expect(result.cleanup.removed).toEqual([expect.stringMatching(consumedForm('2026-02-27_143022_old.md'))]);
    });

    it('start never loses what it consumed to a failed cleanup: it reports the failure beside the result', async () => {
      // EIO on a consumed file as cleanup stats it, once the handoff is written.
      let failing = false;
      const failingStat: FileSystem = {
        ...box.fs,
        lstat: (path) => (failing && path.endsWith('_done.md') ? Promise.reject(Object.assign(new Error('injected'), { code: 'EIO' })) : box.fs.lstat(path)),
      };
      const s = store({ fs: failingStat });
      await s.write({ slug: 'kept', body: 'delivered anyway' });
      failing = true;
      const result = await s.start();
      expect(result.handoffs.map((handoff) => handoff.body)).toEqual(['delivered anyway']);
      expect(result.cleanup.error).toMatchObject({ name: 'HandoffError', code: 'IO' });
    });
  });

  describe('restore', () => {
    it('puts the last session start back, and a session by its id, each once', async () => {
      const s = store();
      await s.write({ slug: 'a', body: 'a' });
      const first = await s.start({ session: 'one' });
      clock += 1000;
      await s.write({ slug: 'b', body: 'b' });
      await s.start({ session: 'two' });
      const last = await s.restore({ last: true });
      expect(last.restored).toHaveLength(1);
      expect(last.restored[0]!.to).toMatch(/^2026-02-27_143023_b~[a-z0-9]+\.md$/);
      expect((await s.restore({ session: 'one' })).restored.map((entry) => entry.from)).toEqual([first.handoffs[0]!.doneName]);
      expect(await s.restore({ session: 'one' })).toEqual({ restored: [], missing: [], failed: [] });
      expect((await s.consume()).handoffs.map((handoff) => handoff.body).sort()).toEqual(['a', 'b']);
    });

    it('rejects a name that is not a consumed handoff with INVALID_NAME', async () => {
      await expect(store().restore({ names: ['2026-02-27_143022_x.md'] })).rejects.toMatchObject({ code: 'INVALID_NAME' });
    });
  });

  it('rejects bad constructor options with INVALID_OPTION', () => {
    expect(() => new HandoffStore({} as never)).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => new HandoffStore({ dir: '/x', store: '/y' } as never)).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => new HandoffStore({ dir: '/x', leaseMs: 0 })).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => new HandoffStore({ dir: '/x', timeZone: 'mars' as never })).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => new HandoffStore({ dir: '/x', retentionDays: -2 })).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});
