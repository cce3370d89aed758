import { it } from 'vitest';
import { randomScenario } from './scenarios.js';
import { runOne, randomChooser } from './explore.js';

it('replay', async () => {
  for (const seed of (process.env.SIM_SEEDS ?? '').split(',').map(Number)) {
    const o = await runOne(randomScenario(seed), randomChooser(seed));
    console.log('seed', seed, o.problems, '\n', o.run.labels.slice(-Number(process.env.SIM_TAIL ?? 30)).join('\n '), o.run.actors.map((a) => `${a.name}:${a.state}:${a.error ? String(a.error) : ''}`).join(' '));
  }
}, 600_000);
