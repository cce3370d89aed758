import { it } from 'vitest';
import { exhaustive as scenarios } from './scenarios.js';
import { exhaustive } from './explore.js';
it('por', async () => {
  for (const which of (process.env.SIM_WHICH ?? '1,2,3').split(',').map(Number)) {
    const started = Date.now();
    const r = await exhaustive(scenarios[which]!, { progress: (p) => process.stderr.write(`${which} ${JSON.stringify(p)} ${Date.now() - started}ms\n`) });
    process.stderr.write(`${scenarios[which]!.name} ${JSON.stringify({ ...r, violation: r.violation?.problems })} ${Date.now() - started}ms\n`);
  }
}, 0);
