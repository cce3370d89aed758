import { HandoffStore, MemoryIndex, type HandoffBackend } from '../../src/index.js';
import type { ActorContext, ActorSpec, Budget } from './scheduler.js';
import { HANDOFFS, LEGACY_DIR, MEMORY, type World } from './world.js';

/**
 * What the actors saw, as the oracle needs it: which writes returned, what each consumer was
 * handed, what each acknowledgement, loss or release said, which index updates resolved.
 */
export class Log {
  /** Ids whose `write` returned, and the name it returned. */
  readonly written = new Map<string, string>();
  readonly deliveries: Delivery[] = [];
  /** Topics whose `upsert` resolved. */
  readonly upserts = new Set<string>();

  deliver(actor: string, body: string): Delivery {
    const id = /^begin-([\w.-]+)\n/.exec(body)?.[1] ?? `?${body.slice(0, 20)}`;
    const delivery: Delivery = { actor, id, whole: body === bodyOf(id), outcome: 'held' };
    this.deliveries.push(delivery);
    return delivery;
  }
}

/** One handoff handed to one actor, and what became of it. */
export interface Delivery {
  readonly actor: string;
  readonly id: string;
  readonly whole: boolean;
  outcome: 'held' | 'acknowledged' | 'lost' | 'released';
}

/** The body of handoff `id`: it says where it begins and ends, so a torn one shows. */
export const bodyOf = (id: string) => `begin-${id}\n${'x'.repeat(24)}\nend-${id}\n`;

export const START = Date.parse('2026-11-25T12:00:00.000Z');
export const LEASE_MS = 60_000;
export const STALE_MS = 10_000;

/** How actors reach the store; a mutation test swaps in a broken backend here. */
export interface Wiring {
  backend?: (context: ActorContext) => HandoffBackend;
  legacyFile?: string;
}

function store(context: ActorContext, wiring: Wiring): HandoffStore {
  const common = { runtime: context.runtime, leaseMs: LEASE_MS, timeZone: 'utc' as const, onWarning: () => {} };
  if (wiring.backend) return new HandoffStore({ ...common, store: wiring.backend(context) });
  return new HandoffStore({ ...common, dir: HANDOFFS, fs: context.fs, durable: false, staleTempMs: 0, legacyFile: wiring.legacyFile });
}

export function writer(name: string, ids: readonly string[], slug: string, log: Log, wiring: Wiring): ActorSpec {
  return {
    name,
    role: 'writer',
    crashable: true,
    async run(context) {
      const s = store(context, wiring);
      for (const id of ids) log.written.set(id, (await s.write({ slug, body: bodyOf(id) })).name);
    },
  };
}

export type ConsumerMode = 'consume' | 'claim-ack' | 'claim-release';

export function consumer(name: string, mode: ConsumerMode, log: Log, wiring: Wiring): ActorSpec {
  return {
    name,
    role: 'consumer',
    crashable: true,
    async run(context) {
      const s = store(context, wiring);
      if (mode === 'consume') {
        for (const handoff of (await s.consume()).handoffs) log.deliver(name, handoff.body).outcome = 'acknowledged';
        return;
      }
      const claim = await s.claim({ session: name });
      const held = new Map(claim.handoffs.map((handoff) => [handoff.claim, log.deliver(name, handoff.body)]));
      if (mode === 'claim-release') {
        const { lost } = await claim.release();
        const gone = new Set(lost.map((handoff) => handoff.claim));
        for (const [handle, delivery] of held) delivery.outcome = gone.has(handle) ? 'lost' : 'released';
        return;
      }
      const { lost } = await claim.acknowledge();
      const gone = new Set(lost.map((handoff) => handoff.claim));
      for (const [handle, delivery] of held) delivery.outcome = gone.has(handle) ? 'lost' : 'acknowledged';
    },
  };
}

export function cleaner(name: string, wiring: Wiring): ActorSpec {
  return {
    name,
    role: 'cleaner',
    crashable: true,
    async run(context) {
      // Retention 0: a consumed handoff may go the moment it is acknowledged; nothing else may.
      await store(context, wiring).cleanup({ olderThanDays: 0 });
    },
  };
}

export function restorer(name: string, wiring: Wiring): ActorSpec {
  return {
    name,
    role: 'restorer',
    crashable: true,
    async run(context) {
      await store(context, wiring).restore({ last: true });
    },
  };
}

export function indexer(name: string, topics: readonly string[], log: Log): ActorSpec {
  return {
    name,
    role: 'indexer',
    crashable: true,
    async run(context) {
      const memory = await MemoryIndex.open({
        dir: MEMORY,
        fs: context.fs,
        runtime: context.runtime,
        durable: false,
        lock: { staleMs: STALE_MS, timeoutMs: 4 * STALE_MS, heartbeat: false },
      });
      for (const topic of topics) {
        await memory.upsert({ topic, section: 'S', summary: `by ${name}` });
        log.upserts.add(topic);
      }
    },
  };
}

/** A scenario: what is on disk first, the actors, and the schedule's budget. */
export interface Scenario {
  readonly name: string;
  readonly budget: Budget;
  /** Foreign files planted first: they must come out byte for byte the same. */
  readonly foreign: Readonly<Record<string, string>>;
  readonly legacy?: { readonly crossDevice: boolean };
  build(log: Log, wiring: Wiring): ActorSpec[];
}

/** Plants a scenario's files in a fresh world. */
export function plant(world: World, scenario: Scenario): Wiring {
  // Every file carries the simulated clock: a real mtime would differ from run to run and no two
  // runs would ever meet in one state.
  const start = new Date(START);
  for (const [path, text] of Object.entries(scenario.foreign)) {
    world.volume.writeFileSync(path, text);
    world.volume.utimesSync(path, start, start);
  }
  if (!scenario.legacy) return {};
  const legacyFile = `${LEGACY_DIR}/context-handoff.md`;
  world.volume.writeFileSync(legacyFile, bodyOf('legacy'));
  const at = new Date(START - 3_600_000);
  world.volume.utimesSync(legacyFile, at, at);
  if (scenario.legacy.crossDevice) world.crossDevice = [LEGACY_DIR];
  return { legacyFile };
}

const FOREIGN = { [`${HANDOFFS}/notes.md`]: 'not a handoff\n', [`${HANDOFFS}/2026-11-25_115959_x.md.bak`]: 'a backup\n' };
const BUDGET = { ticks: 0, tickMs: LEASE_MS + 1, crashes: 0, maxSteps: 3000 };

/** Small scenarios searched exhaustively: every interleaving, up to states already seen. */
export const exhaustive: readonly Scenario[] = [
  {
    name: '2 same-second same-slug writers, 2 consumers, 1 crash',
    budget: { ...BUDGET, crashes: 1 },
    foreign: FOREIGN,
    build: (log, wiring) => [
      writer('w1', ['a'], 'race', log, wiring),
      writer('w2', ['b'], 'race', log, wiring),
      consumer('c1', 'consume', log, wiring),
      consumer('c2', 'claim-ack', log, wiring),
    ],
  },
  {
    name: 'a writer, 2 consumers, a restorer and a cleaner (retention 0 days), 1 crash',
    budget: { ...BUDGET, crashes: 1 },
    foreign: FOREIGN,
    build: (log, wiring) => [
      writer('w1', ['a'], 'clean', log, wiring),
      consumer('c1', 'claim-ack', log, wiring),
      consumer('c2', 'consume', log, wiring),
      restorer('restorer', wiring),
      cleaner('cleaner', wiring),
    ],
  },
  {
    name: 'lease expiry: a holder past its lease, a taker, 1 crash',
    budget: { ...BUDGET, ticks: 1, crashes: 1 },
    foreign: {},
    build: (log, wiring) => [writer('w1', ['a'], 'lease', log, wiring), consumer('holder', 'claim-ack', log, wiring), consumer('taker', 'consume', log, wiring)],
  },
  {
    name: 'restore against consumers and a release',
    budget: { ...BUDGET, crashes: 1 },
    foreign: {},
    build: (log, wiring) => [
      writer('w1', ['a'], 'back', log, wiring),
      consumer('c1', 'consume', log, wiring),
      restorer('restorer', wiring),
      consumer('c2', 'claim-release', log, wiring),
    ],
  },
  {
    name: 'legacy file on another device, 2 consumers, 1 crash',
    budget: { ...BUDGET, crashes: 1 },
    foreign: {},
    legacy: { crossDevice: true },
    build: (log, wiring) => [consumer('c1', 'consume', log, wiring), consumer('c2', 'consume', log, wiring)],
  },
  {
    name: 'index: 2 updaters, a stale lock, 1 crash',
    budget: { ...BUDGET, ticks: 1, tickMs: STALE_MS + 1, crashes: 1 },
    foreign: {},
    build: (log) => [indexer('i1', ['one'], log), indexer('i2', ['two'], log)],
  },
];

/** A random scenario from a seed: a mix of every kind of actor, crashes and clock jumps. */
export function randomScenario(seed: number): Scenario {
  let state = seed >>> 0 || 1;
  const next = (max: number) => {
    state = (Math.imul(state ^ (state >>> 15), 2246822507) + 0x6d2b79f5) >>> 0;
    return state % max;
  };
  const writers = 1 + next(3);
  const consumers = 1 + next(3);
  const modes: ConsumerMode[] = ['consume', 'claim-ack', 'claim-release'];
  const consumerModes = Array.from({ length: consumers }, () => modes[next(3)]!);
  const withCleaner = next(2) === 0;
  const withRestorer = next(3) === 0;
  const indexers = next(3);
  const legacy = next(4) === 0 ? { crossDevice: next(2) === 0 } : undefined;
  const sameSlug = next(2) === 0;
  const leaseTick = next(2) === 0;
  return {
    name: `random #${seed}`,
    budget: {
      ticks: next(3),
      tickMs: leaseTick ? LEASE_MS + 1 : STALE_MS + 1,
      crashes: next(3),
      maxSteps: 3000,
    },
    foreign: FOREIGN,
    legacy,
    build: (log, wiring) => [
      ...Array.from({ length: writers }, (_, index) =>
        writer(`w${index + 1}`, Array.from({ length: 1 + (index % 2) }, (_, n) => `w${index + 1}n${n}`), sameSlug ? 'race' : `s${index}`, log, wiring),
      ),
      ...consumerModes.map((mode, index) => consumer(`c${index + 1}`, mode, log, wiring)),
      ...(withCleaner ? [cleaner('cleaner', wiring)] : []),
      ...(withRestorer ? [restorer('restorer', wiring)] : []),
      ...Array.from({ length: indexers }, (_, index) => indexer(`i${index + 1}`, [`t${index + 1}a`, `t${index + 1}b`], log)),
    ],
  };
}

/**
 * A random scenario for the mutation tests: what the broken protocols get wrong needs writers
 * reusing names in one second, consumers and a cleaner; nothing else, so what is found is theirs.
 */
export function mutantScenario(seed: number): Scenario {
  const writers = 2 + (seed % 2);
  return {
    name: `mutant random #${seed}`,
    budget: { ...BUDGET, crashes: seed % 3 === 0 ? 1 : 0 },
    foreign: {},
    build: (log, wiring) => [
      ...Array.from({ length: writers }, (_, index) => writer(`w${index + 1}`, [`w${index + 1}n0`, `w${index + 1}n1`], 'race', log, wiring)),
      consumer('c1', 'consume', log, wiring),
      consumer('c2', 'claim-ack', log, wiring),
      consumer('c3', 'consume', log, wiring),
      ...(seed % 2 === 0 ? [cleaner('cleaner', wiring)] : []),
    ],
  };
}
