import { it } from 'vitest';
import { randomChooser, runOne } from './explore.js';
import { MUTANTS } from './mutants.js';
import { mutantScenario } from './scenarios.js';
it('mutants', async () => {
  for (const [name, mutant] of Object.entries(MUTANTS)) {
    let hits = 0; let first = 0; let example: string[] = [];
    for (let seed = 1; seed <= 400; seed++) { const { problems } = await runOne(mutantScenario(seed), randomChooser(seed), mutant); if (problems.length) { hits++; if (!first) { first = seed; example = problems; } } }
    console.log(name, 'violations in', hits, 'of 400; first at seed', first, example);
  }
}, 600_000);
