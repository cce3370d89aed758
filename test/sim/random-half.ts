import { expect } from 'vitest';
import { randomChooser, runOne } from './explore.js';
import { saveFigures } from './figures.js';
import { randomScenario } from './scenarios.js';

/**
 * One half of the random schedules of `npm run stress` (odd seeds for `a`, even for `b`), so two
 * vitest workers share them; checks every invariant and saves the half's figures.
 */
export async function randomHalf(part: 'a' | 'b'): Promise<void> {
  const total = Number(process.env.SIM_RANDOM_SCHEDULES ?? 1_000_000);
  const name = `random-${part}`;
  const started = Date.now();
  let schedules = 0;
  let steps = 0;
  let crashes = 0;
  let jumps = 0;
  let cut = 0;
  const violations: string[] = [];
  for (let seed = part === 'a' ? 1 : 2; seed <= total; seed += 2) {
    const { run, problems } = await runOne(randomScenario(seed), randomChooser(seed));
    schedules++;
    steps += run.steps;
    crashes += run.actors.filter((actor) => actor.state === 'crashed').length;
    jumps += run.ticks;
    if (!run.completed) cut++;
    if (problems.length > 0 && violations.length < 5) violations.push(`seed ${seed}: ${problems.join('; ')}`);
    if (schedules % 20_000 === 0) process.stderr.write(`  ${name}: ${schedules} schedules, ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  saveFigures(name, { schedules, steps, crashes, clockJumps: jumps, cut, violations, seconds: Math.round((Date.now() - started) / 1000) });
  expect(violations).toEqual([]);
}
