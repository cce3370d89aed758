import { describe, expect, it } from 'vitest';
import { GitBackend } from '../../src/backends/git/backend.js';
import { MemoryObjects, MemoryRemoteServer, SimulatedCrash, type MemoryFault } from '../../src/backends/git/memory-remote.js';
import { parseCommit } from '../../src/backends/git/objects.js';
import { parseRecord } from '../../src/backends/git/record.js';
import { gitStore, HandoffStore, memoryFs, type GitStore, type MemoryFileSystem } from '../../src/index.js';

/**
 * The git store's protocol under random interleavings, over the in-memory remote (the same
 * compare-and-swap semantics as git): three machines, each a queue on its own disk, whose processes
 * write, start sessions, sync, crash mid-push and lose their network, while the remote drops
 * replies, cuts pushes and refuses connections. After the faults stop and every lease has ended,
 * every handoff written must have been acknowledged exactly once.
 */

/** A small seeded generator (mulberry32): one seed, one schedule of operations and faults. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The simulated crash behind an error, if any (the store wraps what it does not know as `IO`). */
function crashOf(error: unknown): SimulatedCrash | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) if (cause instanceof SimulatedCrash) return cause;
  return undefined;
}

interface Machine {
  readonly host: string;
  readonly fs: MemoryFileSystem;
  readonly objects: MemoryObjects;
  offline: boolean;
}

async function simulate(seed: number, rounds: number): Promise<{ written: string[]; delivered: string[]; faults: number; crashes: number }> {
  const random = generator(seed);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const server = new MemoryRemoteServer();
  const machines: Machine[] = ['ma', 'mb', 'mc'].map((host) => ({ host, fs: memoryFs(), objects: new MemoryObjects('sha1'), offline: false }));
  let clock = Date.parse('2026-03-01T10:00:00.000Z');
  let faultsOn = true;
  let faults = 0;
  let crashes = 0;
  let tags = 0;
  const alive = new Set<number>();
  let nextPid = 1000;
  const written: string[] = [];
  const delivered: string[] = [];
  const trace = process.env.HANDOFFS_GIT_TRACE === String(seed) ? (...parts: unknown[]) => console.log(...parts) : () => {};

  server.pause = async () => {
    for (let turns = Math.floor(random() * 3); turns > 0; turns--) await new Promise((resolve) => setImmediate(resolve));
  };
  server.fault = ({ call, location, updates }) => {
    if (call === 'push') trace('  push', location, (updates ?? []).map((u) => `${u.ref.slice(14)} ${u.expect?.slice(0, 6) ?? 'none'}→${u.value?.slice(0, 6) ?? 'none'}`));
    if (machines.find((machine) => machine.host === location)?.offline) return 'unreachable';
    if (!faultsOn || random() > 0.12) return undefined;
    faults++;
    const kinds: MemoryFault[] = call === 'push' ? ['unreachable', 'reply-lost', 'cut', 'replayed', 'crash', 'crash-after'] : ['unreachable', 'crash'];
    const fault = pick(kinds);
    trace('  fault', location, call, fault, (updates ?? []).map((u) => `${u.ref.slice(14)} ${u.expect?.slice(0, 6) ?? 'none'}→${u.value?.slice(0, 6) ?? 'none'}`));
    return fault;
  };

  const spawn = (machine: Machine): { store: HandoffStore; git: GitStore; pid: number } => {
    const pid = nextPid++;
    alive.add(pid);
    const runtime = {
      pid,
      host: machine.host,
      now: () => new Date(clock),
      isAlive: (other: number) => alive.has(other),
      uniqueTag: () => (tags++).toString(36).padStart(10, '0'),
      sleep: async () => {},
    };
    const git = gitStore({
      remote: 'simulated',
      transport: server.connect({ location: machine.host, objects: machine.objects }),
      dir: '/queue',
      fs: machine.fs,
      runtime,
      onWarning: (message) => trace('  warn', machine.host, pid, message),
    });
    return { store: new HandoffStore({ store: git, runtime, leaseMs: 60_000, onWarning: () => {} }), git, pid };
  };

  /** Runs one operation in a new process; a simulated crash kills that process and nothing else. */
  const operation = async (): Promise<void> => {
    const machine = pick(machines);
    const { store, git, pid } = spawn(machine);
    const kind = pick(['write', 'write', 'write', 'start', 'start', 'sync', 'claim-and-die', 'tick', 'network'] as const);
    trace('op', kind, machine.host, pid);
    try {
      if (kind === 'write') {
        const body = `handoff ${written.length}`;
        written.push(body);
        const ref = await store.write({ slug: pick(['fix', 'fix', 'plan']), body });
        trace('  wrote', pid, body, ref.name);
      } else if (kind === 'start' || kind === 'claim-and-die') {
        const claim = await store.claim({ limit: random() < 0.3 ? 2 : undefined });
        if (kind === 'claim-and-die') throw new SimulatedCrash('killed while holding its claims');
        try {
          const { handoffs } = await claim.acknowledge();
          trace('  delivered', pid, handoffs.map((handoff) => `${handoff.body} ${handoff.name}`));
          delivered.push(...handoffs.map((handoff) => handoff.body));
        } catch (error) {
          // Killed after its acknowledgement applied on the remote: those handoffs count as
          // delivered (the process printed them, then died: the window every `consume` has);
          // the local ones are still claimed and go to the next session.
          if (crashOf(error)) {
            const acknowledged = claim.handoffs.filter((handoff) => {
              if (!handoff.path.includes('/git:')) return false;
              const value = server.refs.get(`refs/handoffs/${handoff.name.slice(0, -'.md'.length)}`);
              const object = value === undefined ? undefined : server.objects.get(value);
              const commit = object && parseCommit(object.content);
              const record = commit && parseRecord(commit.message);
              return record?.state === 'consumed' && record.batch === claim.batch;
            });
            trace('  delivered before crashing', pid, acknowledged.map((handoff) => `${handoff.body} ${handoff.name}`));
            delivered.push(...acknowledged.map((handoff) => handoff.body));
          }
          throw error;
        }
      } else if (kind === 'sync') {
        await git.sync();
      } else if (kind === 'tick') {
        clock += Math.floor(random() * 90_000);
      } else {
        machine.offline = !machine.offline;
      }
    } catch (error) {
      if (!crashOf(error)) throw error;
      trace('  crashed', pid, crashOf(error)!.message);
      crashes++;
      alive.delete(pid);
      return;
    }
    alive.delete(pid);
  };

  for (let round = 0; round < rounds; round++) {
    await Promise.all(Array.from({ length: 1 + Math.floor(random() * 4) }, operation));
  }

  // Heal: no faults, every machine online, every lease and publisher's hold over.
  faultsOn = false;
  for (const machine of machines) machine.offline = false;
  clock += 3_600_000;
  for (let pass = 0; pass < 6; pass++) {
    for (const machine of machines) {
      const { store, git, pid } = spawn(machine);
      await git.sync();
      const { handoffs } = await store.start();
      trace('  final delivered', machine.host, handoffs.map((handoff) => `${handoff.body} ${handoff.name}`));
      delivered.push(...handoffs.map((handoff) => handoff.body));
      alive.delete(pid);
    }
  }
  return { written, delivered, faults, crashes };
}

describe('git store protocol under random interleavings (in-memory remote)', () => {
  const seeds = Array.from({ length: Number(process.env.HANDOFFS_GIT_SEEDS ?? 40) }, (_, index) => index + 1);

  it.each(seeds)('seed %i: every handoff written is acknowledged exactly once, none lost', async (seed) => {
    const { written, delivered, faults, crashes } = await simulate(seed, 30);
    expect(written.length).toBeGreaterThan(0);
    expect([...delivered].sort()).toEqual([...written].sort());
    expect(faults + crashes).toBeGreaterThanOrEqual(0);
  });

  it('the schedules do inject faults and crashes (the test above can fail)', async () => {
    let faults = 0;
    let crashes = 0;
    for (const seed of seeds.slice(0, 10)) {
      const outcome = await simulate(seed, 30);
      faults += outcome.faults;
      crashes += outcome.crashes;
    }
    expect(faults).toBeGreaterThan(10);
    expect(crashes).toBeGreaterThan(3);
  });

  // The figures for docs/RELIABILITY.md: HANDOFFS_GIT_STATS=1 HANDOFFS_GIT_SEEDS=1000.
  it.runIf(process.env.HANDOFFS_GIT_STATS === '1')('totals over every seed', async () => {
    const totals = { seeds: 0, written: 0, delivered: 0, faults: 0, crashes: 0, lost: 0, duplicated: 0 };
    for (const seed of seeds) {
      const outcome = await simulate(seed, 30);
      const counts = new Map<string, number>();
      for (const body of outcome.delivered) counts.set(body, (counts.get(body) ?? 0) + 1);
      totals.seeds++;
      totals.written += outcome.written.length;
      totals.delivered += outcome.delivered.length;
      totals.faults += outcome.faults;
      totals.crashes += outcome.crashes;
      totals.lost += outcome.written.filter((body) => !counts.has(body)).length;
      totals.duplicated += [...counts.values()].filter((count) => count > 1).length;
    }
    console.log(JSON.stringify(totals));
    expect(totals.lost + totals.duplicated).toBe(0);
  }, 600_000);

  it('GitBackend is the class behind gitStore', async () => {
    const server = new MemoryRemoteServer();
    const store = gitStore({ remote: 'x', transport: server.connect(), dir: '/q', fs: memoryFs() });
    expect(await store.open()).toBeInstanceOf(GitBackend);
  });
});
