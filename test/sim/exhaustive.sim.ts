import { expect, it } from 'vitest';
import { exhaustive } from './explore.js';
import { saveFigures } from './figures.js';
import { Log, exhaustive as scenarios } from './scenarios.js';

// npm run stress: every small scenario, every interleaving (up to states already explored).
it('every interleaving of every small scenario keeps every invariant', async () => {
  const rows = [];
  for (const scenario of scenarios) {
    const started = Date.now();
    const result = await exhaustive(scenario, {
      progress: (partial) => process.stderr.write(`  ${scenario.name}: ${partial.states} states, ${partial.schedules} schedules\n`),
    });
    const row = {
      scenario: scenario.name,
      actors: scenario.build(new Log(), {}).length,
      crashes: scenario.budget.crashes,
      clockJumps: scenario.budget.ticks,
      states: result.states,
      schedules: result.schedules,
      pruned: result.pruned,
      longest: result.longest,
      violations: result.violation ? 1 : 0,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
    expect(result.violation?.problems ?? [], result.violation ? `replay: ${result.violation.replay}` : '').toEqual([]);
  }
  saveFigures('exhaustive', rows);
});
