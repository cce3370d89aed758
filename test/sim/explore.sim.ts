import { it } from 'vitest';
import { exhaustive as scenarios } from './scenarios.js';
import { exhaustive } from './explore.js';

it('probe', async () => {
  for (const which of (process.env.SIM_WHICH ?? '0').split(',').map(Number)) {
    const started = Date.now();
    const result = await exhaustive(scenarios[which]!, { progress: (r) => process.stderr.write(`${which}: ${JSON.stringify(r)} ${Date.now() - started} ms\n`) });
    process.stderr.write(`${scenarios[which]!.name} ${JSON.stringify({ ...result, violation: result.violation && { ...result.violation, labels: result.violation.labels.slice(-30) } })} ${Date.now() - started} ms\n`);
  }
}, 36_000_000);
