import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GitBackend } from '../../src/backends/git/backend.js';
import { gitStore, HandoffStore, type GitStore } from '../../src/index.js';
import { git, isolateProcessGit, repositoryRoot, startDaemon, startHttp, type HttpGitServer, type RepositoryRoot } from '../support/git-server.js';

/**
 * The git store against real servers on 127.0.0.1: what a start costs, what it leaves alone, and
 * what happens when the network or the server fails at the worst moment.
 */

let restoreEnv: () => Promise<void>;
beforeAll(async () => {
  restoreEnv = await isolateProcessGit();
});
afterAll(async () => restoreEnv());

let root: RepositoryRoot;
let machines: string;
beforeEach(async () => {
  root = await repositoryRoot();
  await root.create('remote');
  machines = await mkdtemp(join(tmpdir(), 'handoffs-git-machines-'));
});
afterEach(async () => {
  await root.dispose();
  await rm(machines, { recursive: true, force: true });
});

/** One machine: its own queue directory, a store on it, and the warnings it printed. */
function machine(name: string, remote: string, extra: Partial<Parameters<typeof gitStore>[0]> = {}, now?: () => Date) {
  const warnings: string[] = [];
  const backend: GitStore = gitStore({ remote, dir: join(machines, name), onWarning: (message) => warnings.push(message), offlineRetryMs: 0, ...extra });
  const store = new HandoffStore({ store: backend, onWarning: (message) => warnings.push(message), ...(now ? { now } : {}) });
  const roundTrips = async () => ((await backend.open()) as GitBackend).remote?.roundTrips ?? 0;
  return { store, backend, warnings, roundTrips };
}

const bodies = (result: { handoffs: Array<{ body: string }> }) => result.handoffs.map((handoff) => handoff.body).sort();
const receivePacks = (server: HttpGitServer) => server.requests.filter((request) => request.method === 'POST' && request.service === 'git-receive-pack');

describe('round trips', () => {
  let server: HttpGitServer;
  beforeEach(async () => {
    server = await startHttp(root);
  });
  afterEach(async () => server.dispose());

  it.each([1, 100])('a start with %i pending costs 3 round trips: one fetch, one claim push, one acknowledgement push', async (count) => {
    // Written while the remote was out of reach, then published by one sync: only the start is measured.
    const offline = machine('writer', `file://${join(machines, 'nowhere.git')}`, { offlineRetryMs: 60_000 });
    for (let index = 0; index < count; index++) await offline.store.write({ slug: `n${index}`, body: `body ${index}` });
    expect((await machine('writer', server.url('remote')).backend.sync()).published).toHaveLength(count);
    const reader = machine('reader', server.url('remote'));
    await reader.backend.open();
    const before = server.requests.length;
    const result = await reader.store.start();
    expect(result.handoffs).toHaveLength(count);
    expect(await reader.roundTrips()).toBe(3);
    const during = server.requests.slice(before);
    // Smart HTTP: a fetch is GET info/refs + POST ls-refs + POST fetch; a push is GET info/refs + POST.
    expect(during.filter((request) => request.method === 'POST' && request.service === 'git-receive-pack')).toHaveLength(2);
    expect(during.filter((request) => request.method === 'POST' && request.service === 'git-upload-pack')).toHaveLength(2);
    expect(during).toHaveLength(7);
  });

  it('retention deletes expired consumed refs in the claim push: still 3 round trips', async () => {
    let clock = Date.parse('2026-03-01T10:00:00.000Z');
    const now = () => new Date(clock);
    const writer = machine('writer', server.url('remote'), { runtime: { now } }, now);
    for (let index = 0; index < 5; index++) await writer.store.write({ slug: `old${index}`, body: `old ${index}` });
    await writer.store.start();
    clock += 8 * 86_400_000;
    await writer.store.write({ slug: 'new', body: 'new' });
    const reader = machine('reader', server.url('remote'), { runtime: { now } }, now);
    await reader.backend.open();
    const result = await reader.store.start();
    expect(bodies(result)).toEqual(['new']);
    expect(result.cleanup.removed).toHaveLength(5);
    expect(await reader.roundTrips()).toBe(3);
    expect((await git(['ls-remote', server.url('remote')])).trim().split('\n')).toHaveLength(1);
  });

  it('a start with nothing pending costs one round trip; a write costs one push', async () => {
    const one = machine('one', server.url('remote'));
    await one.backend.open();
    await one.store.start();
    expect(await one.roundTrips()).toBe(1);
    await one.store.write({ slug: 'x', body: 'x' });
    expect(await one.roundTrips()).toBe(2);
    expect(receivePacks(server)).toHaveLength(1);
  });
});

describe('opening by URL', () => {
  it("new HandoffStore({ store: 'git:<url>' }) opens the git store, its queue under $HANDOFFS_DIR/remotes", async () => {
    const saved = process.env.HANDOFFS_DIR;
    process.env.HANDOFFS_DIR = join(machines, 'handoffs');
    try {
      const url = `file://${join(root.root, 'remote.git')}`;
      const warnings: string[] = [];
      const store = new HandoffStore({ store: `git:${url}`, onWarning: (message) => warnings.push(message) });
      expect(store.dir).toBe(`git:${url}`);
      const written = await store.write({ slug: 'by url', body: 'opened by url' });
      expect(written.path).toBe(`${store.dir}/${written.name}`);
      expect(await git(['ls-remote', url, 'refs/handoffs/*'])).toContain(`refs/handoffs/${written.name.slice(0, -3)}`);
      expect(bodies(await new HandoffStore({ store: `git:${url}` }).start())).toEqual(['opened by url']);
      await store.close();
      expect(warnings).toEqual([]);
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(join(machines, 'handoffs', 'remotes'))).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.HANDOFFS_DIR;
      else process.env.HANDOFFS_DIR = saved;
    }
  });
});

describe("the user's repository", () => {
  it('is never touched: status, refs outside the namespace, config, index and objects are the same after every operation', async () => {
    const server = await startHttp(root);
    try {
      const seed = join(machines, 'seed');
      await git(['init', '--quiet', seed]);
      await writeFile(join(seed, 'README.md'), 'hello\n');
      await git(['-C', seed, 'add', '.']);
      await git(['-C', seed, 'commit', '--quiet', '-m', 'first']);
      await git(['-C', seed, 'push', '--quiet', server.url('remote'), 'HEAD:refs/heads/main']);
      const clone = join(machines, 'clone');
      await git(['clone', '--quiet', server.url('remote'), clone]);
      // A working tree in the middle of things: staged, modified and untracked files, a tag, a stash.
      await git(['-C', clone, 'tag', 'v1']);
      await writeFile(join(clone, 'README.md'), 'changed\n');
      await writeFile(join(clone, 'stash-me.md'), 'x\n');
      await git(['-C', clone, 'add', 'stash-me.md']);
      await git(['-C', clone, 'stash', '--quiet']);
      await writeFile(join(clone, 'staged.md'), 'staged\n');
      await git(['-C', clone, 'add', 'staged.md']);
      await writeFile(join(clone, 'untracked.md'), 'untracked\n');
      await writeFile(join(clone, 'README.md'), 'modified\n');
      // A repository-local setting the store must honour when it talks to the remote.
      await git(['-C', clone, 'config', 'http.extraHeader', 'X-Handoffs-Test: from-the-repository-config']);

      const snapshot = async () => ({
        status: await git(['-C', clone, 'status', '--porcelain=v2', '--branch', '--untracked-files=all']),
        refs: await git(['-C', clone, 'for-each-ref', '--format=%(refname) %(objectname)']),
        config: await readFile(join(clone, '.git', 'config'), 'utf8'),
        index: createHash('sha256').update(await readFile(join(clone, '.git', 'index'))).digest('hex'),
        objects: await git(['-C', clone, 'count-objects', '-v']),
        stash: await git(['-C', clone, 'stash', 'list']),
        head: await git(['-C', clone, 'rev-parse', 'HEAD']),
      });
      const before = await snapshot();
      const remoteBefore = await git(['ls-remote', server.url('remote'), 'refs/heads/*', 'refs/tags/*']);
      const first = server.requests.length;

      const { store, backend, warnings } = machine('machine', 'origin', { cwd: clone });
      const written = await store.write({ slug: 'from clone', body: 'hello from the clone' });
      expect(written.name).toMatch(/^\d{4}-\d{2}-\d{2}_\d{6}_from-clone\.md$/);
      await store.list({ consumed: true });
      const claimed = await store.start();
      expect(bodies(claimed)).toEqual(['hello from the clone']);
      await store.restore({ last: true });
      await backend.sync();
      await store.consume();
      await store.cleanup({ olderThanDays: 0 });
      expect(warnings).toEqual([]);

      // Every request the store made carried the repository's own header: its config applied, unchanged.
      const ours = server.requests.slice(first);
      expect(await snapshot()).toEqual(before);
      expect(await git(['ls-remote', server.url('remote'), 'refs/heads/*', 'refs/tags/*'])).toBe(remoteBefore);
      expect(ours.length).toBeGreaterThan(5);
      for (const request of ours) expect(request.headers['x-handoffs-test']).toBe('from-the-repository-config');
    } finally {
      await server.dispose();
    }
  });
});

describe('offline first', () => {
  it('a start with the remote unreachable delivers what is local and says so; the next command that reaches it publishes the queue', async () => {
    const daemon = await startDaemon(root);
    try {
      let clock = Date.parse('2026-03-01T10:00:00.000Z');
      const now = () => new Date((clock += 1000));
      const laptop = machine('laptop', daemon.url('remote'), { runtime: { now } }, now);
      const desktop = machine('desktop', daemon.url('remote'), { runtime: { now } }, now);
      await laptop.store.write({ slug: 'online', body: 'written online' });
      await daemon.stop();
      const queued = await laptop.store.write({ slug: 'offline', body: 'written offline' });
      expect(queued.name).toMatch(/_offline(~[a-z0-9]+)?\.md$/);
      await laptop.store.write({ slug: 'kept', body: 'kept for the remote' });
      expect(laptop.warnings.join('\n')).toMatch(/not reached|nothing was changed/);

      const offline = await laptop.store.start({ limit: 1 });
      expect(bodies(offline)).toEqual(['written offline']);
      expect(offline.skipped).toContainEqual(expect.objectContaining({ code: 'REMOTE_UNREACHABLE' }));
      expect(laptop.warnings.some((line) => /remote .* not reached \(.*\); using this machine's handoffs only, 1 waiting to be published/.test(line))).toBe(true);
      for (const line of laptop.warnings) expect(line).not.toContain('\n');

      await daemon.start();
      const sync = await laptop.backend.sync();
      expect(sync).toMatchObject({ reached: true, queued: 0 });
      expect(sync.published).toHaveLength(1);
      expect(bodies(await desktop.store.start())).toEqual(['kept for the remote', 'written online']);
      expect(bodies(await laptop.store.start())).toEqual([]);
    } finally {
      await daemon.dispose();
    }
  });
});

describe('project scope across machines', () => {
  it("a handoff scoped to a clone reaches the next session in a clone of the same name at another path on another machine, and not another project's", async () => {
    const remote = `file://${join(root.root, 'remote.git')}`;
    const laptop = machine('laptop', remote);
    const container = machine('container', remote);
    await laptop.store.write({ slug: 'app', body: 'for the app, wherever it is cloned', meta: { project: '/Users/me/src/app' } });
    await laptop.store.write({ slug: 'tools', body: 'for the tools repository', meta: { project: '/Users/me/src/tools' } });
    const start = await container.store.start({ project: '/workspace/app' });
    expect(bodies(start)).toEqual(['for the app, wherever it is cloned']);
    expect(start.skipped.map((skip) => skip.reason)).toEqual(['other-project']);
    expect(bodies(await container.store.start({ project: '/workspace/tools' }))).toEqual(['for the tools repository']);
  });
});

describe('faults', () => {
  let server: HttpGitServer;
  beforeEach(async () => {
    server = await startHttp(root);
  });
  afterEach(async () => server.dispose());

  /**
   * Cuts the receive-pack POSTs from now on, one fault per POST in turn. curl replays a POST whose
   * connection died, so a push fails for git only when its retry is cut too.
   */
  const cutPushes = (...faults: Array<'cut-before' | 'cut-after' | undefined>) => {
    let seen = 0;
    server.fault = (request) => (request.method === 'POST' && request.service === 'git-receive-pack' ? faults[seen++] : undefined);
  };

  it('a claim push applied, its reply lost and the request replayed by curl: the refusal is checked, the handoffs delivered at once', async () => {
    const writer = machine('writer', server.url('remote'));
    for (const name of ['a', 'b', 'c']) await writer.store.write({ slug: name, body: name });
    const reader = machine('reader', server.url('remote'));
    cutPushes('cut-after');
    expect(bodies(await reader.store.start())).toEqual(['a', 'b', 'c']);
    expect(receivePacks(server).length).toBeGreaterThanOrEqual(4);
    expect(bodies(await machine('other', server.url('remote')).store.start())).toEqual([]);
  });

  it.each([
    ['applied, then its retry cut', ['cut-after', 'cut-before']],
    ['cut before it applied, twice', ['cut-before', 'cut-before']],
  ] as const)('the server stopped in the middle of a claim push (%s): nothing delivered then, delivered once after', async (_, faults) => {
    const writer = machine('writer', server.url('remote'));
    for (const name of ['a', 'b', 'c']) await writer.store.write({ slug: name, body: name });
    const reader = machine('reader', server.url('remote'));
    cutPushes(...faults);
    const first = await reader.store.start();
    expect(first.handoffs).toEqual([]);
    expect(reader.warnings.filter((line) => /push to .* failed/.test(line))).toHaveLength(1);
    server.fault = () => undefined;
    const second = await machine('other', server.url('remote')).store.start();
    const third = await reader.store.start();
    const fourth = await machine('other', server.url('remote')).store.start();
    expect([...bodies(second), ...bodies(third), ...bodies(fourth)].sort()).toEqual(['a', 'b', 'c']);
  });

  it('an acknowledgement applied, then the connection cut twice: nothing delivered then, put back and delivered once', async () => {
    const writer = machine('writer', server.url('remote'));
    await writer.store.write({ slug: 'ack', body: 'acknowledged in doubt' });
    const reader = machine('reader', server.url('remote'));
    cutPushes(undefined, 'cut-after', 'cut-before');
    expect((await reader.store.start()).handoffs).toEqual([]);
    server.fault = () => undefined;
    expect(bodies(await reader.store.start())).toEqual(['acknowledged in doubt']);
    expect(bodies(await machine('other', server.url('remote')).store.start())).toEqual([]);
  });

  it.each([
    ['applied, reply lost, replayed', ['cut-after']],
    ['applied, then its retry cut', ['cut-after', 'cut-before']],
    ['cut before it applied, twice', ['cut-before', 'cut-before']],
  ] as const)('the server stopped during a write (%s): published once, never doubled', async (_, faults) => {
    const writer = machine('writer', server.url('remote'));
    cutPushes(...faults);
    const written = await writer.store.write({ slug: 'cut', body: 'written while cut' });
    expect(written.name).toMatch(/_cut(~[a-z0-9]+)?\.md$/);
    server.fault = () => undefined;
    const reader = machine('reader', server.url('remote'));
    const results = [await writer.store.start(), await reader.store.start(), await writer.store.start(), await reader.store.start()];
    expect(results.flatMap(bodies)).toEqual(['written while cut']);
    expect((await git(['ls-remote', server.url('remote'), 'refs/handoffs/*'])).trim().split('\n')).toHaveLength(1);
  });

  it('a push the remote rejects: the handoff stays on this machine, delivered here, with one line saying why', async () => {
    const hook = join(root.root, 'remote.git', 'hooks', 'pre-receive');
    await writeFile(hook, '#!/bin/sh\necho "handoffs are not allowed here" >&2\nexit 1\n');
    await chmod(hook, 0o755);
    const writer = machine('writer', server.url('remote'));
    const written = await writer.store.write({ slug: 'refused', body: 'refused by the remote' });
    expect(written.name).toMatch(/_refused~[a-z0-9]+\.md$/);
    expect(writer.warnings).toHaveLength(1);
    expect(writer.warnings[0]).toMatch(/refused refs\/handoffs\/.*_refused .*pre-receive hook declined.*stays on this machine/);
    expect(bodies(await writer.store.start())).toEqual(['refused by the remote']);
    expect(bodies(await writer.store.start())).toEqual([]);
  });

  it('foreign refs in the namespace are ignored, reported once, never claimed or deleted', async () => {
    const bare = join(root.root, 'remote.git');
    const writer = machine('writer', server.url('remote'));
    await writer.store.write({ slug: 'real', body: 'a real handoff' });
    const junk = (await git(['--git-dir', bare, 'hash-object', '-w', join(bare, 'HEAD')])).trim();
    const tree = (await git(['--git-dir', bare, 'write-tree'], { env: { ...process.env, GIT_INDEX_FILE: join(machines, 'empty-index') } as Record<string, string> })).trim();
    const forged = (await git(['--git-dir', bare, 'commit-tree', tree, '-m', 'handoffs pending\n\nnot really'])).trim();
    await git(['--git-dir', bare, 'update-ref', 'refs/handoffs/not-a-handoff', junk]);
    await git(['--git-dir', bare, 'update-ref', 'refs/handoffs/2026-01-01_000000_forged', forged]);
    const reader = machine('reader', server.url('remote'));
    expect(bodies(await reader.store.start())).toEqual(['a real handoff']);
    await reader.store.cleanup({ olderThanDays: 0 });
    expect(bodies(await reader.store.start())).toEqual([]);
    const left = await git(['--git-dir', bare, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/handoffs/']);
    expect(left).toContain(`refs/handoffs/not-a-handoff ${junk}`);
    expect(left).toContain(`refs/handoffs/2026-01-01_000000_forged ${forged}`);
    expect(reader.warnings).toEqual([
      expect.stringMatching(/^ignoring refs\/handoffs\/(not-a-handoff|2026-01-01_000000_forged) on git:http:.*not a handoff this version wrote \(left as it is\)$/),
      expect.stringMatching(/^ignoring refs\/handoffs\/(not-a-handoff|2026-01-01_000000_forged) on git:http:.*not a handoff this version wrote \(left as it is\)$/),
    ]);
  });

  it('a damaged ref (pointing at an object the remote lacks): listed around, every push refused, nothing lost or doubled, one line each', async () => {
    const bare = join(root.root, 'remote.git');
    const writer = machine('writer', server.url('remote'));
    await writer.store.write({ slug: 'before', body: 'published before the damage' });
    const damaged = join(bare, 'refs', 'handoffs', '2026-01-02_000000_damaged');
    await writeFile(damaged, `${'1'.repeat(40)}\n`);
    // git itself refuses every push to such a repository; the store says so and keeps writes here.
    const written = await writer.store.write({ slug: 'during', body: 'written during the damage' });
    expect(written.name).toMatch(/_during~[a-z0-9]+\.md$/);
    const reader = machine('reader', server.url('remote'));
    expect(bodies(await writer.store.start())).toEqual(['written during the damage']);
    expect(bodies(await reader.store.start())).toEqual([]);
    for (const warnings of [writer.warnings, reader.warnings]) {
      expect(warnings.filter((line) => /ignoring refs\/handoffs\/2026-01-02_000000_damaged .* points at an object the remote does not have/.test(line))).toHaveLength(1);
      expect(warnings.filter((line) => /refused .*missing necessary objects.*git fsck/.test(line))).toHaveLength(1);
    }
    await rm(damaged);
    expect(bodies(await reader.store.start())).toEqual(['published before the damage']);
    expect(bodies(await writer.store.start())).toEqual([]);
  });

  it('a clone with no remote: handoffs stay on this machine, delivered here, with one line saying so', async () => {
    const clone = join(machines, 'no-remote');
    await git(['init', '--quiet', clone]);
    const { store, warnings } = machine('lonely', 'origin', { cwd: clone });
    await store.write({ slug: 'alone', body: 'nowhere to go' });
    await store.write({ slug: 'alone', body: 'still nowhere' });
    expect(bodies(await store.start())).toEqual(['nowhere to go', 'still nowhere']);
    expect(warnings).toEqual([`no remote 'origin' in the repository at ${clone} ('git remote -v' lists its remotes); handoffs stay on this machine`]);
  });
});
