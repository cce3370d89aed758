import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePorcelain } from '../../src/backends/git/git-remote.js';
import { LooseObjects } from '../../src/backends/git/loose-objects.js';
import { freeCollisions, leafOf, parsePresentedName, presentedName } from '../../src/backends/git/names.js';
import { encodeCommit, encodePack, encodeTree, objectId, parseCommit, parseTree, type ObjectFormat } from '../../src/backends/git/objects.js';
import { parseEntry } from '../../src/backends/git/outbox.js';
import { ensureRepository } from '../../src/backends/git/private-repository.js';
import { formatRecord, parseRecord, type StateRecord } from '../../src/backends/git/record.js';
import { parseConfigList } from '../../src/backends/git/user-remote.js';
import { deflateSync } from 'node:zlib';
import { git, isolateProcessGit } from '../support/git-server.js';

let restore: () => Promise<void>;
let root: string;
beforeAll(async () => {
  restore = await isolateProcessGit();
  root = await mkdtemp(join(tmpdir(), 'handoffs-git-objects-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await restore();
});

describe.each(['sha1', 'sha256'] as const)('git objects written by the store, %s', (format: ObjectFormat) => {
  it('have the ids git gives them, and git reads them back, loose or in a pack the store wrote', async () => {
    const gitDir = join(root, `store-${format}`);
    await ensureRepository(gitDir, format);
    const store = new LooseObjects({ gitDir, format, git: 'git', timeoutMs: 10_000 });
    const data = Buffer.from('---\ncreated: x\n---\nbody ✓\n');
    const blob = await store.write({ type: 'blob', content: data });
    const tree = await store.write(encodeTree('handoff.md', blob));
    const commit = await store.write(encodeCommit({ tree, parents: [], time: 1_700_000_000, message: 'handoffs pending\n\nid: x\n' }));
    const env = { ...process.env, GIT_DIR: gitDir } as Record<string, string>;
    expect((await git(['cat-file', '-p', `${commit}:handoff.md`], { env }))).toBe(data.toString('utf8'));
    expect((await git(['rev-parse', `${commit}^{tree}`], { env })).trim()).toBe(tree);
    expect((await git(['fsck', '--no-dangling', '--strict'], { env }))).toBe('');

    // Many objects at once: one pack, indexed by git, read back through `git cat-file --batch`.
    const many = Array.from({ length: 20 }, (_, index) => ({ type: 'blob' as const, content: Buffer.from(`blob ${index}\n`.repeat(index + 1)) }));
    await store.writeMany(many);
    const ids = many.map((object) => objectId(format, object));
    const read = await store.read(ids);
    expect(ids.map((id) => Buffer.from(read.get(id)!.content).toString())).toEqual(many.map((object) => object.content.toString()));
    expect(await store.missing([...ids, commit, 'f'.repeat(format === 'sha1' ? 40 : 64)])).toEqual(['f'.repeat(format === 'sha1' ? 40 : 64)]);
    expect((await git(['count-objects', '-v'], { env }))).toMatch(/in-pack: 20/);
    expect(encodePack(format, many, (bytes) => deflateSync(bytes)).subarray(0, 4).toString()).toBe('PACK');
  });
});

describe('pure parts', () => {
  it('parses what it formats: trees and commits', () => {
    const tree = encodeTree('handoff.md', 'a'.repeat(40));
    expect([...parseTree(tree.content, 'sha1')]).toEqual([['handoff.md', { mode: '100644', id: 'a'.repeat(40) }]]);
    const commit = encodeCommit({ tree: 'b'.repeat(40), parents: [], time: 1234, message: 'hello\n' });
    expect(parseCommit(commit.content)).toEqual({ tree: 'b'.repeat(40), parents: [], time: 1234, message: 'hello\n' });
    expect(parseCommit(Buffer.from('not a commit'))).toBeUndefined();
  });

  it('reads back every state record it writes, and nothing it did not', () => {
    const records: StateRecord[] = [
      { state: 'pending', id: 'abc', unique: 'abc', createdAt: 1, project: '/work/a "quoted"\nline' },
      { state: 'claimed', id: 'abc', unique: 'def', createdAt: 1, session: 'sess "1"', batch: 'b1', holder: { pid: 42, host: 'h1' }, leaseUntil: 99, leaseMs: 60 },
      { state: 'consumed', id: 'abc', unique: 'ghi', createdAt: 1, batch: 'b1', consumedAt: 100 },
    ];
    for (const record of records) expect(parseRecord(formatRecord(record))).toEqual(record);
    for (const foreign of ['', 'handoffs pending', 'handoffs pending\n\nversion: 2\nid: a\nunique: b\ncreated: 1\n', 'Merge branch main\n\nid: a\n', 'handoffs claimed\n\nversion: 1\nid: a\nunique: b\ncreated: 1\n', 'handoffs pending\n\nversion: 1\nid: a\nunique: b\ncreated: 1\nsession: 7\n']) {
      expect(parseRecord(foreign)).toBeUndefined();
    }
  });

  it('names say the state and round-trip; consumed names carry their consumption', () => {
    const leaf = leafOf('2026-03-01_101500', 'fix', 2);
    expect(leaf).toBe('2026-03-01_101500_fix-2');
    for (const [state, unique, batch] of [['pending', 'u', undefined], ['claimed', 'u1', 'b'], ['consumed', 'u2', 'b']] as const) {
      const name = presentedName(leaf, state, unique, batch);
      expect(parsePresentedName(name)).toMatchObject({ leaf, state, ...(state === 'pending' ? {} : { unique }) });
    }
    expect(freeCollisions(new Set([leafOf('s', 'x', 1), leafOf('s', 'x', 3)]), 's', 'x', 1, 3)).toEqual([2, 4, 5]);
  });

  it('takes apart push porcelain, config listings and outbox entry names', () => {
    const porcelain = [
      'To git://host/repo.git',
      '*\tab:refs/handoffs/a\t[new reference]',
      '=\tab:refs/handoffs/b\t[up to date]',
      '-\t:refs/handoffs/c\t[deleted]',
      '!\tab:refs/handoffs/d\t[rejected] (stale info)',
      '!\tab:refs/handoffs/e\t[remote rejected] (failed to update ref)',
      '!\tab:refs/handoffs/f\t[remote failure] (remote failed to report status)',
      'Done',
    ].join('\n');
    const statuses = parsePorcelain(porcelain);
    expect([...statuses.values()].map((status) => [status.ref, status.outcome])).toEqual([
      ['refs/handoffs/a', 'applied'],
      ['refs/handoffs/b', 'applied'],
      ['refs/handoffs/c', 'applied'],
      ['refs/handoffs/d', 'rejected'],
      ['refs/handoffs/e', 'rejected'],
      ['refs/handoffs/f', 'unknown'],
    ]);
    expect(parseConfigList('local\0remote.origin.url\nhttps://x\0global\0core.bare\0')).toEqual([
      { scope: 'local', key: 'remote.origin.url', value: 'https://x' },
      { scope: 'global', key: 'core.bare', value: 'true' },
    ]);
    expect(parseEntry('abc_def_1z_42-host1_3_2026-03-01_101500_fix.md')).toMatchObject({ id: 'abc', pid: 42, host: 'host1', target: 3, slug: 'fix' });
    expect(parseEntry('something-else.md')).toBeUndefined();
  });
});
