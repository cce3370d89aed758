import { expect, it } from 'vitest';
import { independent, type Option } from './scheduler.js';
import { random, runOne } from './explore.js';
import { exhaustive as scenarios, randomScenario } from './scenarios.js';

// The exhaustive search skips orders of steps it calls independent (sleep sets). That is sound
// only if they commute: for states along random schedules of every scenario, each such pair must
// reach the same state in either order.
it('steps the exhaustive search calls independent reach the same state in either order', async () => {
  const keyAfter = async (scenario: (typeof scenarios)[number], ids: string[]) => {
    let result = '';
    await runOne(scenario, (options, key, depth) => {
      if (depth === ids.length) {
        result = process.env.SIM_DEBUG_KEYS ? ((globalThis as Record<string, unknown>).__simKeyParts as () => string[])().join('\n') : key();
        return undefined;
      }
      const index = options.findIndex((option) => option.id === ids[depth]);
      if (index < 0) throw new Error(`no ${ids[depth]}`);
      return index;
    });
    return result;
  };
  let pairs = 0;
  const bad: string[] = [];
  const all = [...scenarios, ...Array.from({ length: 40 }, (_, index) => randomScenario(index + 1))];
  for (const [n, scenario] of all.entries()) {
    const next = random(n + 1);
    for (let trial = 0; trial < 6; trial++) {
      // Walk a random prefix, then look at the options offered there.
      const prefix: string[] = [];
      let offered: readonly Option[] = [];
      const depth = Math.floor(next() * 25);
      await runOne(scenario, (options, _key, d) => {
        if (d === depth || options.length === 0) {
          offered = options;
          return undefined;
        }
        const steps = options.filter((option) => option.type === 'step');
        const pick = steps[Math.floor(next() * steps.length)] ?? options[0]!;
        prefix.push(pick.id);
        return options.indexOf(pick);
      });
      for (const a of offered) {
        for (const b of offered) {
          if (a.id >= b.id || !independent(a, b)) continue;
          pairs++;
          const [ab, ba] = [await keyAfter(scenario, [...prefix, a.id, b.id]), await keyAfter(scenario, [...prefix, b.id, a.id])];
          if (ab !== ba && bad.length < 10) {
            bad.push(`${scenario.name}: ${a.label} / ${b.label}`);
            if (process.env.SIM_DEBUG_KEYS && bad.length <= 2) {
              const x = ab.split('\n');
              const y = ba.split('\n');
              for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) process.stderr.write(`  DIFF ${i}\n    ${x[i]}\n    ${y[i]}\n`);
            }
          }
        }
      }
    }
  }
  expect(pairs).toBeGreaterThan(500);
  if (bad.length > 0) throw new Error(`${bad.length} independent pairs do not commute:\n${bad.join('\n')}`);
}, 0);
