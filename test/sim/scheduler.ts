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

/** One choice the scheduler can make now. */
export type Option =
  | { readonly type: 'step'; readonly label: string }
  | { readonly type: 'tick'; readonly label: string }
  | { readonly type: 'crash'; readonly label: string };

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
        actor.pending.push({ actor, seq: actor.seq++, label, run, resolve, reject, since });
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
      option: { type: 'step', label: step.label },
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
        option: { type: 'tick', label: `tick +${budget.tickMs}ms` },
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
          option: { type: 'crash', label: `crash ${actor.spec.name}` },
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
