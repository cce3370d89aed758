import type { FileSystem } from '../../src/index.js';
import type { Runtime } from '../../src/runtime.js';
import { hash, simFs, simRuntime, type World } from './world.js';

/**
 * The deterministic scheduler. Each actor runs real library code (HandoffStore, MemoryIndex) on a
 * filesystem whose every operation waits for the scheduler's permission; between two permissions
 * all actors run until each is blocked on its next operation or done. A schedule is the sequence of
 * choices: which pending operation runs next, when the clock jumps (lease expiry, stale locks),
 * and which actor is stopped forever (a crash).
 */

/** What an actor's body gets: its filesystem and runtime. */
export interface ActorContext {
  readonly fs: FileSystem;
  readonly runtime: Runtime;
  readonly pid: number;
}

/** One simulated process. */
export interface ActorSpec {
  readonly name: string;
  /** `cleaner` may delete consumed handoffs; the oracle holds other roles to stricter rules. */
  readonly role: 'writer' | 'consumer' | 'cleaner' | 'restorer' | 'indexer';
  /** Whether the schedule may crash it. */
  readonly crashable: boolean;
  run(context: ActorContext): Promise<void>;
}

interface Step {
  readonly actor: Actor;
  readonly seq: number;
  readonly label: string;
  /** For a sleep: the world's version when it began; it can end once the world has changed. */
  readonly since?: number;
  readonly access: Access;
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

class Actor {
  state: 'running' | 'done' | 'failed' | 'crashed' = 'running';
  history = '';
  error: unknown;
  seq = 0;
  readonly pending: Step[] = [];
  constructor(
    readonly spec: ActorSpec,
    readonly pid: number,
  ) {}

  record(entry: string): void {
    this.history = hash(`${this.history}|${entry}`);
  }
}

/**
 * What a choice touches, for partial-order reduction: locations read and written (a path, or
 * `dir:<path>` for a folder's listing). Two choices of different actors commute when neither
 * writes what the other reads or writes. `everything` marks choices that commute with nothing
 * (clock jumps, crashes, sleeps: they change the clock, liveness, or who may run).
 */
export interface Access {
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  readonly everything?: boolean;
  /** The step changes shared state, so it may wake a sleeping lock waiter. */
  readonly mutates?: boolean;
  /** The step's actor may sleep (a lock waiter): whether it is awake after a change depends on its order. */
  readonly mayWait?: boolean;
}

/** One choice the scheduler can make now. `id` names it the same way in every replay. */
export type Option =
  | { readonly type: 'step'; readonly label: string; readonly id: string; readonly actor: string; readonly access: Access }
  | { readonly type: 'tick'; readonly label: string; readonly id: string; readonly actor?: undefined; readonly access: Access }
  | { readonly type: 'crash'; readonly label: string; readonly id: string; readonly actor: string; readonly access: Access };

/** Whether two choices commute: different actors, and no location one writes is read or written by the other. */
export function independent(a: Option, b: Option): boolean {
  if (a.access.everything || b.access.everything || a.actor === undefined || a.actor === b.actor) return false;
  // A change wakes sleepers: its order against a waiter's step decides whether the waiter is awake.
  if ((a.access.mutates && b.access.mayWait) || (b.access.mutates && a.access.mayWait)) return false;
  const clash = (writes: readonly string[], other: Access) => writes.some((location) => other.reads.includes(location) || other.writes.includes(location));
  return !clash(a.access.writes, b.access) && !clash(b.access.writes, a.access);
}

const EVERYTHING: Access = { reads: [], writes: [], everything: true };

/**
 * What an operation reads and writes. A listing reads `dir:<folder>`; creating, linking, renaming
 * or removing a name writes its folder's listing, except a writer's temporary file, which only the
 * cleaner's listings show (see `simFs`).
 */
function accessOf(op: string, args: readonly unknown[], seesTemporaryFiles: boolean): Access {
  const path = (value: unknown) => String(value);
  const dir = (value: unknown) => `dir:${String(value).replace(/\/[^/]*$/, '') || '/'}`;
  // A writer's temporary file shows only in the cleaner's listings, which read `dir:tmp` too.
  const listing = (value: unknown) => (/\/\.handoff-[0-9]+-[^/]*\.tmp$/.test(String(value)) ? ['dir:tmp'] : [dir(value)]);
  switch (op) {
    case 'readFile':
    case 'lstat':
      return { reads: [path(args[0])], writes: [] };
    case 'readdir':
      return { reads: seesTemporaryFiles ? [`dir:${path(args[0])}`, 'dir:tmp'] : [`dir:${path(args[0])}`], writes: [] };
    case 'createFile':
    case 'unlink':
      return { reads: [], writes: [path(args[0]), ...listing(args[0])] };
    case 'link':
      return { reads: [path(args[0])], writes: [path(args[1]), ...listing(args[1])] };
    case 'rename':
      return { reads: [], writes: [path(args[0]), path(args[1]), ...listing(args[0]), ...listing(args[1])] };
    case 'mkdir':
      return { reads: [], writes: [path(args[0]), dir(args[0])] };
    case 'utimes':
    case 'chmod':
      return { reads: [], writes: [path(args[0])] };
    default:
      return EVERYTHING;
  }
}

/** Picks an option; `undefined` abandons the schedule (its future was explored elsewhere). */
export type Chooser = (options: readonly Option[], key: () => string, depth: number) => number | undefined;

/** How a schedule ended. */
export interface ScheduleRun {
  readonly completed: boolean;
  readonly steps: number;
  readonly labels: string[];
  readonly actors: ReadonlyArray<{ name: string; role: ActorSpec['role']; pid: number; state: Actor['state']; error: unknown }>;
  readonly ticks: number;
}

/** Limits of one schedule. */
export interface Budget {
  /** Clock jumps allowed, each of `tickMs`. */
  readonly ticks: number;
  readonly tickMs: number;
  /** Crashes allowed. */
  readonly crashes: number;
  /** A schedule longer than this is cut (counted, not a violation). */
  readonly maxSteps: number;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs one schedule of `specs` on `world`, asking `choose` at every point. */
export async function runSchedule(
  world: World,
  specs: readonly ActorSpec[],
  budget: Budget,
  choose: Chooser,
  firstPid = 1001,
): Promise<ScheduleRun> {
  const actors = specs.map((spec, index) => new Actor(spec, firstPid + index));
  for (const actor of actors) world.alive.add(actor.pid);
  let ticks = budget.ticks;
  let crashes = budget.crashes;
  const labels: string[] = [];

  for (const actor of actors) {
    const gate = (op: string, args: readonly unknown[], run: () => unknown) =>
      new Promise((resolve, reject) => {
        const label = `${actor.spec.name}:${op}(${args.map(describe).join(',')})`;
        const since = op === 'sleep' ? world.version : undefined;
        const base = accessOf(op, args, actor.spec.role === 'cleaner');
        const access: Access = { ...base, mutates: base.writes.length > 0, mayWait: actor.spec.role === 'indexer' };
        actor.pending.push({ actor, seq: actor.seq++, label, run, resolve, reject, since, access });
      });
    const sleep = (ms: number) => gate('sleep', [ms], () => void (world.clock += Math.ceil(ms))) as Promise<void>;
    const runtime = simRuntime(world, actor.pid, (entry) => actor.record(entry), sleep);
    const fs = simFs(world, actor.spec.name, gate, { seesTemporaryFiles: actor.spec.role === 'cleaner' });
    void actor.spec.run({ fs, runtime, pid: actor.pid }).then(
      () => {
        if (actor.state === 'running') actor.state = 'done';
      },
      (error: unknown) => {
        if (actor.state === 'running') {
          actor.state = 'failed';
          actor.error = error;
        }
      },
    );
  }
  await turn();

  const key = () => hash(keyParts().join('\n'));
  const keyParts = () =>
      [
        world.fingerprint(),
        world.clock,
        [...world.alive].sort().join(','),
        ticks,
        crashes,
        world.effects.map((effect) => `${effect.kind}:${effect.id}:${effect.actor}`).join(';'),
        // Whether each sleeper is awake decides what can run next, so it is part of the state.
        ...actors.map(
          (actor) =>
            `${actor.state}:${actor.history}:${actor.pending.map((step) => `${step.label}${step.since === undefined ? '' : step.since < world.version ? '+' : '-'}`).join(';')}`,
        ),
      ];
  if (process.env.SIM_DEBUG_KEYS) (globalThis as Record<string, unknown>).__simKeyParts = keyParts;

  let steps = 0;
  for (;;) {
    const pending = actors.flatMap((actor) => actor.pending);
    if (pending.length === 0) break;
    // A sleeper wakes once something else changed, or when nothing else can run (time must pass):
    // waiting in a loop that nothing disturbs would only add states, never behaviours.
    const awake = pending.filter((step) => step.since === undefined || step.since < world.version);
    const runnable = awake.length > 0 ? awake : pending;
    if (steps >= budget.maxSteps) return finish(false);
    const actions: Array<{ option: Option; apply: () => void }> = runnable.map((step) => ({
      option: { type: 'step', label: step.label, id: `${step.actor.spec.name}#${step.seq}`, actor: step.actor.spec.name, access: step.access },
      apply: () => {
        step.actor.pending.splice(step.actor.pending.indexOf(step), 1);
        try {
          const value = step.run();
          step.actor.record(`${step.label}=${describe(value)}`);
          step.resolve(value);
        } catch (error) {
          step.actor.record(`${step.label}!${(error as { code?: string }).code ?? 'ERR'}`);
          step.reject(error);
        }
      },
    }));
    if (ticks > 0) {
      actions.push({
        option: { type: 'tick', label: `tick +${budget.tickMs}ms`, id: 'tick', access: EVERYTHING },
        apply: () => {
          ticks--;
          world.clock += budget.tickMs;
          world.version++;
        },
      });
    }
    if (crashes > 0) {
      for (const actor of actors.filter((each) => each.spec.crashable && each.state === 'running')) {
        actions.push({
          option: { type: 'crash', label: `crash ${actor.spec.name}`, id: `crash:${actor.spec.name}`, actor: actor.spec.name, access: EVERYTHING },
          apply: () => {
            crashes--;
            // Stopped forever: its pending operations never run, and its pid is gone.
            actor.state = 'crashed';
            actor.pending.length = 0;
            world.alive.delete(actor.pid);
            world.version++;
          },
        });
      }
    }
    const index = choose(
      actions.map((action) => action.option),
      key,
      steps,
    );
    if (index === undefined) return finish(false);
    const { option, apply } = actions[index]!;
    labels.push(option.label);
    steps++;
    apply();
    await turn();
  }
  return finish(true);

  function finish(completed: boolean): ScheduleRun {
    return {
      completed,
      steps,
      labels,
      ticks: budget.ticks - ticks,
      actors: actors.map((actor) => ({ name: actor.spec.name, role: actor.spec.role, pid: actor.pid, state: actor.state, error: actor.error })),
    };
  }
}

/** A short, deterministic description of an argument or result, for labels and histories. */
function describe(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/^\/[a-z]+\//, '');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return `#${hash(Buffer.from(value).toString('latin1'))}`;
  // Inode and device numbers are left out: memfs hands them out in creation order, so two
  // interleavings reaching one state would look different. Sound because no library code branches
  // on them (test/sim/simulation.test.ts checks that).
  if (Array.isArray(value)) return `[${value.map(describe).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .filter(([key]) => key !== 'ino' && key !== 'dev')
      .map(([key, item]) => `${key}=${describe(item)}`)
      .join(',')}}`;
  }
  return String(value);
}
