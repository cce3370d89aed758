import { runSchedule, type ActorSpec, type Chooser, type ScheduleRun } from './scheduler.js';
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

/**
 * Every interleaving of `scenario`, depth first, re-running from the start for each branch (the
 * actors are real code, which cannot be forked). A state is the volume, the clock, who is alive,
 * the budgets left, what the oracle saw, and each actor's history of results and pending
 * operation; two schedules that reach the same state have the same futures, so the second stops
 * there. This is exhaustive: every reachable state is explored with every choice.
 */
export async function exhaustive(
  scenario: Scenario,
  options: { maxSchedules?: number; mutate?: Wiring['backend']; progress?: (result: SearchResult) => void } = {},
): Promise<SearchResult> {
  const visited = new Set<string>();
  let prefix: number[] = [];
  let schedules = 0;
  let pruned = 0;
  let longest = 0;
  for (;;) {
    const trace: Array<{ choice: number; count: number }> = [];
    const outcome = await runOne(
      scenario,
      (options, key, depth) => {
        if (depth >= prefix.length) {
          const state = key();
          if (visited.has(state)) return undefined;
          visited.add(state);
        }
        const choice = depth < prefix.length ? prefix[depth]! : 0;
        trace.push({ choice, count: options.length });
        return choice;
      },
      options.mutate,
    );
    longest = Math.max(longest, outcome.run.steps);
    if (outcome.run.completed) schedules++;
    else pruned++;
    if (options.progress && (schedules + pruned) % 5000 === 0) options.progress({ schedules, pruned, states: visited.size, longest });
    if (outcome.problems.length > 0) {
      return { schedules, pruned, states: visited.size, longest, violation: { problems: outcome.problems, replay: `choices:${trace.map((t) => t.choice).join('.')}`, labels: outcome.run.labels } };
    }
    let depth = trace.length - 1;
    while (depth >= 0 && trace[depth]!.choice + 1 >= trace[depth]!.count) depth--;
    if (depth < 0 || (options.maxSchedules !== undefined && schedules + pruned >= options.maxSchedules)) break;
    prefix = [...trace.slice(0, depth).map((t) => t.choice), trace[depth]!.choice + 1];
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

/** Replays a schedule written as `choices:0.2.1…`. */
export function replayChooser(replay: string): Chooser {
  const choices = replay.replace(/^choices:/, '').split('.').filter(Boolean).map(Number);
  return (_options, _key, depth) => choices[depth] ?? 0;
}
