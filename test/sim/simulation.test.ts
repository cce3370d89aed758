import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exhaustive, randomChooser, runOne, type SearchResult } from './explore.js';
import { MUTANTS } from './mutants.js';
import { exhaustive as scenarios, mutantScenario, randomScenario } from './scenarios.js';

// The deterministic simulation of the claim protocol (docs/RELIABILITY.md). Sizes here fit
// `npm test`; `npm run stress` runs the same code with every scenario exhaustive and a million
// random schedules.
const RANDOM_SCHEDULES = Number(process.env.SIM_SCHEDULES ?? 1500);
const MUTANT_BUDGET = Number(process.env.SIM_MUTANT_SCHEDULES ?? 1500);
/** Scenarios small enough to search exhaustively in seconds; the rest are exhaustive under stress. */
const QUICK = new Set([
  'lease expiry: a holder past its lease, a taker, 1 crash',
  'restore against consumers and a release',
  'legacy file on another device, 2 consumers, 1 crash',
]);

function explain(result: SearchResult): string {
  const violation = result.violation;
  return violation ? `${violation.problems.join('\n')}\nreplay: ${violation.replay}\n${violation.labels.slice(-25).join('\n')}` : '';
}

describe('deterministic simulation of the claim protocol', () => {
  it.each(scenarios.filter((scenario) => QUICK.has(scenario.name)).map((scenario) => [scenario.name, scenario] as const))(
    'every interleaving of "%s" keeps every invariant',
    async (_, scenario) => {
      const result = await exhaustive(scenario);
      expect(result.violation, explain(result)).toBeUndefined();
      expect(result.schedules).toBeGreaterThan(20);
    },
  );

  it(`${RANDOM_SCHEDULES} seeded random schedules of random scenarios keep every invariant`, async () => {
    for (let seed = 1; seed <= RANDOM_SCHEDULES; seed++) {
      const { problems } = await runOne(randomScenario(seed), randomChooser(seed));
      expect(problems, `seed ${seed} (replay: SIM_SEEDS=${seed})`).toEqual([]);
    }
  });

  it('replays a schedule exactly from its seed', async () => {
    const [first, second] = [await runOne(randomScenario(77), randomChooser(77)), await runOne(randomScenario(77), randomChooser(77))];
    expect(first.run.labels.length).toBeGreaterThan(10);
    expect(second.run.labels).toEqual(first.run.labels);
  });

  it.each(Object.entries(MUTANTS))('catches a protocol broken back to "%s"', async (_, mutant) => {
    let found: string[] | undefined;
    for (let seed = 1; seed <= MUTANT_BUDGET && !found; seed++) {
      const { problems } = await runOne(mutantScenario(seed), randomChooser(seed), mutant);
      if (problems.length > 0) found = problems;
    }
    // What is found must be a lost, destroyed or doubled handoff, not a side effect of the harness.
    expect(found?.join('\n')).toMatch(/destroyed|in 0 place|in 2 place|acknowledged \d+ times/);
  });

  it('no library code branches on inode numbers (the simulation leaves them out of what actors saw)', () => {
    const root = join(import.meta.dirname, '..', '..', 'src');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (path.endsWith('.ts') && !path.includes(`${join('src', 'fs')}`) && /\.(ino|dev)\b/.test(readFileSync(path, 'utf8'))) offenders.push(path);
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
