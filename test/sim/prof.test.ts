import { it } from 'vitest';
import { randomScenario } from './scenarios.js';
import { runOne, randomChooser } from './explore.js';
import { World } from './world.js';

it('prof', async () => {
  const proto = World.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const timers: Record<string, number> = {};
  for (const name of ['linksOf', 'heldElsewhere', 'idOf', 'fingerprint']) {
    const original = proto[name]!;
    proto[name] = function (this: unknown, ...args: unknown[]) { const t = performance.now(); try { return original.apply(this, args); } finally { timers[name] = (timers[name] ?? 0) + performance.now() - t; } };
  }
  let steps = 0; let withIndex = 0;
  const t = performance.now();
  for (let seed = 1; seed <= 200; seed++) { const sc = randomScenario(seed); const o = await runOne(sc, randomChooser(seed)); steps += o.run.steps; if (o.run.actors.some(a => a.role === 'indexer')) withIndex++; }
  const total = performance.now() - t;
  console.log('total', total.toFixed(0), 'ms; steps', steps, 'per step µs', (total * 1000 / steps).toFixed(1), 'withIndex', withIndex, JSON.stringify(Object.fromEntries(Object.entries(timers).map(([k, v]) => [k, v.toFixed(0)]))));
}, 600_000);
