import { expect, it } from 'vitest';
import { randomChooser, runOne } from './explore.js';
import { saveFigures } from './figures.js';
import { randomScenario } from './scenarios.js';

// npm run stress: half of the random schedules (the other half runs in random-a.sim.ts, in parallel).
const TOTAL = Number(process.env.SIM_RANDOM_SCHEDULES ?? 1_000_000);
const FIRST = 2;

it('seeded random schedules keep every invariant', async () => {
  const started = Date.now();
  let schedules = 0;
  let steps = 0;
  let crashes = 0;
  let jumps = 0;
  let cut = 0;
  const violations: string[] = [];
  for (let seed = FIRST; seed <= TOTAL; seed += 2) {
    const { run, problems } = await runOne(randomScenario(seed), randomChooser(seed));
    schedules++;
    steps += run.steps;
    crashes += run.actors.filter((actor) => actor.state === 'crashed').length;
    jumps += run.ticks;
    if (!run.completed) cut++;
    if (problems.length > 0 && violations.length < 5) violations.push(`seed ${seed}: ${problems.join('; ')}`);
    if (schedules % 20_000 === 0) process.stderr.write(`  random-b: ${schedules} schedules, ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  saveFigures('random-b', { schedules, steps, crashes, clockJumps: jumps, cut, violations, seconds: Math.round((Date.now() - started) / 1000) });
  expect(violations).toEqual([]);
});
