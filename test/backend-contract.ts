import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandoffStore, type HandoffStoreOptions } from '../src/index.js';

/**
 * The contract every store backend keeps, run through the public `HandoffStore` API. A backend's
 * test file calls `describeBackendContract(name, setup)`; `setup` makes a fresh, empty store
 * location and returns the options that point a `HandoffStore` at it (`{ dir, fs }`, or
 * `{ store: backend }`), plus how to throw it away.
 */
export interface ContractSetup {
  /** Options for a store on this fresh location; each call may return a new backend instance on the same data. */
  options(): Partial<HandoffStoreOptions>;
  dispose(): Promise<void>;
}

const PROJECT_A = '/work/project-a';
const PROJECT_B = '/work/project-b';

/** A pid that belonged to a process on this host and is now certainly dead. */
function deadPid(): number {
  return Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());
}

export function describeBackendContract(name: string, setup: () => Promise<ContractSetup>): void {
  describe(`store backend contract: ${name}`, () => {
    let location: ContractSetup;
    const stores: HandoffStore[] = [];
    const store = (extra: Partial<HandoffStoreOptions> = {}): HandoffStore => {
      const created = new HandoffStore({ onWarning: () => {}, ...location.options(), ...extra } as HandoffStoreOptions);
      stores.push(created);
      return created;
    };

    beforeEach(async () => {
      location = await setup();
    });
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((each) => each.close()));
      await location.dispose();
    });

    it('never overwrites: 20 concurrent writes with one slug in one second get 20 names, each whole', async () => {
      const frozen = new Date('2026-11-25T12:00:00.000Z');
      const writers = Array.from({ length: 4 }, () => store({ now: () => frozen, timeZone: 'utc' }));
      const written = await Promise.all(
        Array.from({ length: 20 }, (_, index) => writers[index % 4]!.write({ slug: 'race', body: `body ${index}\n` })),
      );
      expect(new Set(written.map((ref) => ref.name)).size).toBe(20);
      for (const ref of written) expect(ref.name).toMatch(/^2026-11-25_120000_race(-\d+)?\.md$/);
      const bodies = await Promise.all(written.map(async (ref) => (await store().read(ref.name)).body));
      expect(bodies.sort()).toEqual(Array.from({ length: 20 }, (_, index) => `body ${index}\n`).sort());
    });

    it('reads any body back byte for byte, whatever it begins with, with its meta', async () => {
      const bodies = ['---\nproject: /elsewhere\n---\nnot front matter\n', '', '\r\n---\r\n', 'ünïcødé ✓\n', '---'];
      const s = store();
      for (const body of bodies) {
        const { name } = await s.write({ slug: 'body', body, meta: { sessionId: 'abc', tags: ['x'] } });
        const read = await s.read(name);
        expect(read.body).toBe(body);
        expect(read.meta).toMatchObject({ sessionId: 'abc', tags: ['x'] });
      }
      const claim = await store().claim({ project: PROJECT_A });
      expect(claim.handoffs.map((handoff) => handoff.body).sort()).toEqual([...bodies].sort());
      await claim.acknowledge();
    });

    it('lists pending handoffs oldest first by the instant written, and reads one without claiming it', async () => {
      let clock = Date.parse('2026-11-25T12:00:00.000Z');
      const s = store({ now: () => new Date(clock), timeZone: 'utc' });
      const first = await s.write({ slug: 'first', body: 'one' });
      clock += 1000;
      await s.write({ slug: 'second', body: 'two' });
      expect((await s.list()).map((ref) => [ref.slug, ref.state])).toEqual([
        ['first', 'pending'],
        ['second', 'pending'],
      ]);
      expect(await s.read(first.name)).toMatchObject({ body: 'one', state: 'pending', createdAt: new Date('2026-11-25T12:00:00.000Z') });
      expect(await s.list()).toHaveLength(2);
      await expect(s.read('2026-01-01_000000_nothing.md')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('claim then acknowledge consumes each handoff once; a second claim gets nothing', async () => {
      const s = store();
      await s.write({ slug: 'a', body: 'a' });
      await s.write({ slug: 'b', body: 'b' });
      const claim = await s.claim();
      expect(claim.handoffs.map((handoff) => [handoff.body, handoff.state, handoff.redelivered])).toEqual([
        ['a', 'claimed', false],
        ['b', 'claimed', false],
      ]);
      expect((await store().claim()).handoffs).toEqual([]);
      const acknowledged = await claim.acknowledge();
      expect(acknowledged.lost).toEqual([]);
      expect(acknowledged.handoffs.map((handoff) => [handoff.body, handoff.state])).toEqual([
        ['a', 'consumed'],
        ['b', 'consumed'],
      ]);
      expect(await s.list()).toEqual([]);
      const all = await s.list({ consumed: true });
      expect(all.map((ref) => ref.state)).toEqual(['consumed', 'consumed']);
      expect((await s.read(acknowledged.handoffs[0]!.doneName)).body).toBe('a');
      expect((await store().consume()).handoffs).toEqual([]);
    });

    it('gives each handoff to exactly one of many concurrent consumers', async () => {
      const s = store();
      for (let index = 0; index < 60; index++) await s.write({ slug: `h${index}`, body: `body ${index}` });
      const results = await Promise.all(Array.from({ length: 6 }, () => store().consume()));
      const delivered = results.flatMap((result) => result.handoffs.map((handoff) => handoff.body));
      expect(delivered).toHaveLength(60);
      expect(new Set(delivered).size).toBe(60);
    });

    it('a released claim is pending again and goes to the next claim', async () => {
      const s = store();
      await s.write({ slug: 'back', body: 'give it back' });
      const claim = await s.claim();
      const { released, lost } = await claim.release();
      expect([released.length, lost]).toEqual([1, []]);
      expect((await s.list()).map((ref) => ref.state)).toEqual(['pending']);
      expect((await store().consume()).handoffs.map((handoff) => handoff.body)).toEqual(['give it back']);
    });

    it('a claim whose lease ended is taken over and delivered again; the late holder learns it lost', async () => {
      const s = store();
      await s.write({ slug: 'slow', body: 'held too long' });
      const first = await s.claim({ leaseMs: 150 });
      expect(first.handoffs).toHaveLength(1);
      expect((await store().claim()).handoffs).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = await store().claim();
      expect(second.handoffs.map((handoff) => [handoff.body, handoff.redelivered])).toEqual([['held too long', true]]);
      expect(await first.acknowledge()).toMatchObject({ handoffs: [], lost: [{ claim: first.handoffs[0]!.claim }], failed: [] });
      expect((await second.acknowledge()).handoffs).toHaveLength(1);
      expect((await s.list({ consumed: true })).map((ref) => ref.state)).toEqual(['consumed']);
    });

    it('a claim whose holder died on this host is taken over at once, lease or not', async () => {
      await store().write({ slug: 'orphan', body: 'holder killed' });
      const dead = await store({ runtime: { pid: deadPid() } }).claim({ leaseMs: 3_600_000 });
      expect(dead.handoffs).toHaveLength(1);
      const next = await store().consume();
      expect(next.handoffs.map((handoff) => handoff.body)).toEqual(['holder killed']);
    });

    it('scopes claims to a project: its own and unscoped handoffs, others left pending', async () => {
      const s = store();
      await s.write({ slug: 'mine', body: 'a', meta: { project: PROJECT_A } });
      await s.write({ slug: 'theirs', body: 'b', meta: { project: PROJECT_B } });
      await s.write({ slug: 'anyone', body: 'c' });
      const forA = await store().consume({ project: PROJECT_A });
      expect(forA.handoffs.map((handoff) => handoff.slug).sort()).toEqual(['anyone', 'mine']);
      expect(forA.skipped.map((skip) => skip.reason)).toEqual(['other-project']);
      expect((await s.list()).map((ref) => ref.slug)).toEqual(['theirs']);
      expect((await store().consume({ project: `${PROJECT_B}/` })).handoffs.map((handoff) => handoff.body)).toEqual(['b']);
    });

    it('leaves a session its own handoffs: a resumed session is not handed what it wrote', async () => {
      const s = store();
      await s.write({ slug: 'mine', body: 'by s1', meta: { sessionId: 's1' } });
      await s.write({ slug: 'other', body: 'by s2', meta: { sessionId: 's2' } });
      const claim = await store().claim({ session: 's1' });
      expect(claim.handoffs.map((handoff) => handoff.body)).toEqual(['by s2']);
      await claim.acknowledge();
      expect((await s.list()).map((ref) => ref.slug)).toEqual(['mine']);
      expect((await store().consume({ session: 's2' })).handoffs.map((handoff) => handoff.body)).toEqual(['by s1']);
    });

    it('lists only handoffs written since a given instant when asked', async () => {
      let clock = Date.parse('2026-11-20T12:00:00.000Z');
      const s = store({ now: () => new Date(clock) });
      await s.write({ slug: 'old', body: 'old' });
      clock += 3 * 86_400_000;
      await s.write({ slug: 'new', body: 'new' });
      expect((await s.list({ since: new Date(clock - 60_000) })).map((ref) => ref.slug)).toEqual(['new']);
      expect((await s.contents({ since: new Date(clock - 60_000) })).map((content) => content.body)).toEqual(['new']);
    });

    it('watch announces what is pending, then each handoff written after, once each', async (context) => {
      const s = store();
      await s.write({ slug: 'before', body: 'b' });
      const controller = new AbortController();
      const names = s.watch({ signal: controller.signal })[Symbol.asyncIterator]();
      const next = () =>
        Promise.race([names.next(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no announcement within 10 s')), 10_000))]);
      let first: IteratorResult<string>;
      try {
        first = await next();
      } catch (error) {
        if ((error as { code?: string }).code === 'INVALID_OPTION') return context.skip();
        throw error;
      }
      expect(first.value).toMatch(/_before\.md$/);
      await store().write({ slug: 'after', body: 'a' });
      expect((await next()).value).toMatch(/_after\.md$/);
      controller.abort();
      await names.return?.(undefined);
    });

    it('claims at most `limit`, oldest first', async () => {
      let clock = Date.parse('2026-11-25T12:00:00.000Z');
      const s = store({ now: () => new Date(clock) });
      for (let index = 0; index < 5; index++) {
        await s.write({ slug: `n${index}`, body: String(index) });
        clock += 1000;
      }
      const claim = await store().claim({ limit: 2 });
      expect(claim.handoffs.map((handoff) => handoff.body)).toEqual(['0', '1']);
      await claim.acknowledge();
      expect((await s.list()).map((ref) => ref.slug)).toEqual(['n2', 'n3', 'n4']);
    });

    it('restores consumed handoffs by name, by session and the last batch, each once', async () => {
      const s = store();
      await s.write({ slug: 'one', body: '1' });
      const bySession = await store().consume({ session: 'session-1' });
      await s.write({ slug: 'two', body: '2' });
      const last = await store().consume({ session: 'session-2' });
      const sessionRestore = await s.restore({ session: 'session-1' });
      expect(sessionRestore.restored.map((entry) => entry.from)).toEqual([bySession.handoffs[0]!.doneName]);
      expect((await s.restore({ names: [bySession.handoffs[0]!.doneName] })).missing).toEqual([bySession.handoffs[0]!.doneName]);
      expect((await s.restore({ last: true })).restored.map((entry) => entry.from)).toEqual([last.handoffs[0]!.doneName]);
      expect((await store().consume()).handoffs.map((handoff) => handoff.body).sort()).toEqual(['1', '2']);
    });

    it('of two restores of one consumed handoff, one puts it back and the other reports it missing', async () => {
      await store().write({ slug: 'twice', body: 'restore me once' });
      const { handoffs } = await store().consume();
      const doneName = handoffs[0]!.doneName;
      const results = await Promise.all([store().restore({ names: [doneName] }), store().restore({ names: [doneName] })]);
      expect(results.map((result) => [result.restored.length, result.missing]).sort()).toEqual([
        [0, [doneName]],
        [1, []],
      ]);
      expect((await store().consume()).handoffs.map((handoff) => handoff.body)).toEqual(['restore me once']);
    });

    it('a claim given back is not the claim\'s any more: its acknowledge leaves it to the next claim', async () => {
      const s = store();
      await s.write({ slug: 'back', body: 'released' });
      const claim = await s.claim();
      await claim.release();
      const next = await store().claim();
      expect(await claim.acknowledge()).toMatchObject({ handoffs: [], lost: [], failed: [] });
      expect((await next.acknowledge()).handoffs.map((handoff) => handoff.body)).toEqual(['released']);
    });

    it('cleanup deletes consumed handoffs past retention from consumption, never pending or claimed ones', async () => {
      let clock = Date.parse('2026-11-01T12:00:00.000Z');
      const s = store({ now: () => new Date(clock) });
      await s.write({ slug: 'old', body: 'old' });
      await s.consume();
      await s.write({ slug: 'pending', body: 'p' });
      await s.write({ slug: 'claimed', body: 'c' });
      clock += 8 * 86_400_000;
      const claim = await s.claim({ limit: 1, leaseMs: 30 * 86_400_000 });
      expect(claim.handoffs).toHaveLength(1);
      const { removed } = await s.cleanup();
      expect(removed).toHaveLength(1);
      expect((await s.list({ consumed: true })).map((ref) => ref.state).sort()).toEqual(['claimed', 'pending']);
    });
  });
}
