import { it } from 'vitest';
import { exhaustive as scenarios } from './scenarios.js';
import { exhaustive } from './explore.js';

it('probe', async () => {
  for (const which of (process.env.SIM_WHICH ?? '0').split(',').map(Number)) {
    const started = Date.now();
    const result = await exhaustive(scenarios[which]!, { maxSchedules: Number(process.env.SIM_MAX ?? 1e9) });
    console.log(scenarios[which]!.name, JSON.stringify({ ...result, violation: result.violation && { ...result.violation, labels: result.violation.labels.slice(-30) } }, null, 1), `${Date.now() - started} ms`);
  }
}, 3_600_000);
