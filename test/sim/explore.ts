import { independent, runSchedule, type ActorSpec, type Chooser, type Option, type ScheduleRun } from './scheduler.js';
import { consumer, LEASE_MS, Log, plant, START, STALE_MS, type Scenario, type Wiring } from './scenarios.js';
import { violations } from './invariants.js';
import { World } from './world.js';

/** One schedule's result. */
export interface Outcome {
  readonly run: ScheduleRun;
  /** Empty when every invariant held (or when the schedule was abandoned). */
  readonly problems: string[];
}

/**
 * Runs `scenario` under `choose` on a fresh world, then the final healthy pass (every simulated
 * process gone, the clock past every lease and lock, one consumer claiming everything left), then
 * the invariants. A schedule `choose` abandons is not checked: its future is explored elsewhere.
 */
export async function runOne(scenario: Scenario, choose: Chooser, mutate?: Wiring['backend']): Promise<Outcome> {
  const world = new World(START);
  const log = new Log();
  const wiring: Wiring = { ...plant(world, scenario), backend: mutate };
  const run = await runSchedule(world, scenario.build(log, wiring), scenario.budget, choose);
  if (!run.completed) return { run, problems: [] };
  world.alive.clear();
  world.clock += LEASE_MS + 4 * STALE_MS + 1;
  const final: ActorSpec = consumer('final', 'consume', log, wiring);
  const pass = await runSchedule(world, [final], { ticks: 0, tickMs: 0, crashes: 0, maxSteps: 10_000 }, () => 0, 2001);
  const problems = pass.completed ? violations(world, log, scenario, run) : ['the final pass did not finish'];
  if (pass.actors[0]?.state === 'failed') problems.push(`the final pass failed: ${String(pass.actors[0].error)}`);
  return { run, problems };
}

/** What a search found. */
export interface SearchResult {
  /** Schedules run to the end and checked. */
  readonly schedules: number;
  /** Schedules cut short: abandoned at a state already explored, or over the step budget. */
  readonly pruned: number;
  /** Distinct states reached (exhaustive search). */
  readonly states: number;
  /** The longest schedule, in steps. */
  readonly longest: number;
  /** The first violation: its problems and how to replay it. */
  readonly violation?: { problems: string[]; replay: string; labels: string[] };
}

/** One node of the depth-first search: a state, the choices still to explore there, and its sleep set. */
interface Node {
  /** Ids of the choices to explore at this state, in order; `current` is being explored. */
  readonly todo: string[];
  /** Ids explored already at this state. */
  readonly done: string[];
  /** Choices that need not be explored from here: they commute with what led here (see below). */
  readonly sleep: ReadonlySet<string>;
  /** The choices offered at this state, by id (for the independence of sleeping ones). */
  readonly options: ReadonlyMap<string, Option>;
}

/**
 * Every interleaving of `scenario`, depth first, re-running from the start for each branch (the
 * actors are real code, which cannot be forked). Two reductions keep it finite and fast, and both
 * keep every reachable state visited and every terminal state checked:
 *
 * - **State caching.** A state is the volume, the clock, who is alive, the budgets left, what the
 *   oracle saw, and each actor's history of results and pending operations. Actors are
 *   deterministic, so two schedules reaching one state have the same futures: the second stops.
 * - **Sleep sets** (Godefroid's partial-order reduction). After exploring choice `a` at a state,
 *   exploring a sibling `b` that commutes with `a` (another actor, nothing in common it writes) need
 *   not run `a` right after it: that order reaches what `a` then `b` reached. So `a` sleeps in the
 *   subtree of `b` until a choice that does not commute with it runs. A state reached again with a
 *   smaller sleep set explores only what it skipped before.
 */
export async function exhaustive(
  scenario: Scenario,
  options: { maxSchedules?: number; mutate?: Wiring['backend']; progress?: (result: SearchResult) => void } = {},
): Promise<SearchResult> {
  /**
   * For each state explored: the choices it was explored without (its sleep set then), joined by
   * `\n`; mostly empty, so a string keeps millions of states in little memory.
   */
  const visited = new Map<string, string>();
  const pack = (ids: Iterable<string>) => [...ids].sort().join('\n');
  const stack: Node[] = [];
  let schedules = 0;
  let pruned = 0;
  let longest = 0;
  for (;;) {
    const labels: string[] = [];
    const outcome = await runOne(
      scenario,
      (offered, key, depth) => {
        const byId = new Map(offered.map((option) => [option.id, option]));
        if (depth < stack.length) {
          const index = offered.findIndex((option) => option.id === stack[depth]!.todo[0]);
          if (index < 0) throw new Error(`replay diverged at depth ${depth}: no ${stack[depth]!.todo[0]}`);
          labels.push(offered[index]!.label);
          return index;
        }
        // A new node: its sleep set comes from the parent's choice and what the parent explored before it.
        const parent = stack.at(-1);
        const sleep = new Set<string>();
        if (parent) {
          const chosen = parent.options.get(parent.todo[0]!)!;
          for (const id of [...parent.sleep, ...parent.done]) {
            const asleep = parent.options.get(id);
            if (asleep && byId.has(id) && independent(asleep, chosen)) sleep.add(id);
          }
        }
        const state = key();
        const packed = visited.get(state);
        let todo: string[];
        if (packed === undefined) {
          visited.set(state, pack(sleep));
          todo = offered.map((option) => option.id).filter((id) => !sleep.has(id));
        } else {
          // Explored before without `before`; now only `sleep` may be skipped: explore the rest of `before`.
          const before = new Set(packed === '' ? [] : packed.split('\n'));
          todo = offered.map((option) => option.id).filter((id) => before.has(id) && !sleep.has(id));
          visited.set(state, pack([...before].filter((id) => sleep.has(id))));
        }
        if (todo.length === 0) return undefined;
        stack.push({ todo, done: [], sleep, options: byId });
        const index = offered.findIndex((option) => option.id === todo[0]);
        labels.push(offered[index]!.label);
        return index;
      },
      options.mutate,
    );
    longest = Math.max(longest, outcome.run.steps);
    if (outcome.run.completed) schedules++;
    else pruned++;
    if (options.progress && (schedules + pruned) % 5000 === 0) options.progress({ schedules, pruned, states: visited.size, longest });
    if (outcome.problems.length > 0) {
      const replay = `choices:${outcome.run.labels.join(' > ')}`;
      return { schedules, pruned, states: visited.size, longest, violation: { problems: outcome.problems, replay, labels: outcome.run.labels } };
    }
    // Backtrack: the deepest node with a choice left explores its next one.
    while (stack.length > 0) {
      const node = stack.at(-1)!;
      node.done.push(node.todo.shift()!);
      if (node.todo.length > 0) break;
      stack.pop();
    }
    if (stack.length === 0 || (options.maxSchedules !== undefined && schedules + pruned >= options.maxSchedules)) break;
  }
  return { schedules, pruned, states: visited.size, longest };
}

/** A seeded random number generator (mulberry32). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One random schedule from `seed`: at each point a pending operation is picked uniformly, a clock
 * jump or a crash now and then. The same seed replays the same schedule exactly.
 */
export function randomChooser(seed: number): Chooser {
  const next = random(seed);
  return (options) => {
    const steps = options.filter((option) => option.type === 'step').length;
    const roll = next();
    const rare = options.length - steps;
    if (rare > 0 && roll < 0.04) return steps + Math.floor(next() * rare);
    return Math.floor(next() * steps);
  };
}

/** Replays a schedule written as `choices:<label> > <label> > …` (what a violation prints). */
export function replayChooser(replay: string): Chooser {
  const labels = replay.replace(/^choices:/, '').split(' > ');
  return (options, _key, depth) => {
    const index = options.findIndex((option) => option.label === labels[depth]);
    return index < 0 ? 0 : index;
  };
}
