import { it } from 'vitest';
import { randomScenario } from './scenarios.js';
import { runOne, randomChooser } from './explore.js';

it('probe', async () => {
  const t = Date.now(); const kinds = new Map<string, number[]>();
  const n = Number(process.env.SIM_N ?? 300);
  for (let seed = 1; seed <= n; seed++) { const o = await runOne(randomScenario(seed), randomChooser(seed)); for (const p of o.problems) { const k = p.replace(/[\w.-]*\d[\w.~-]*/g, '#'); kinds.set(k, [...(kinds.get(k) ?? []), seed]); } }
  console.log('random', n, Date.now() - t, 'ms');
  for (const [k, seeds] of kinds) console.log(seeds.length, k, seeds.slice(0, 5).join(','));
}, 600_000);
