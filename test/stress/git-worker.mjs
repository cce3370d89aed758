// One process of the git store's stress run: writes handoffs, or starts sessions in a loop.
// Usage: node git-worker.mjs write <url> <queue> <label> <count> <frozenIso>
//        node git-worker.mjs start <url> <queue> <stopFile> <idleRounds>
import { existsSync } from 'node:fs';
import { HandoffStore, gitStore } from '../../dist/index.js';

const [mode, url, queue, ...rest] = process.argv.slice(2);
const warnings = [];
const open = (extra = {}) =>
  new HandoffStore({
    store: gitStore({ remote: url, dir: queue, onWarning: (message) => warnings.push(message), offlineRetryMs: 0 }),
    onWarning: (message) => warnings.push(message),
    timeZone: 'utc',
    ...extra,
  });

if (mode === 'write') {
  const [label, count, frozen] = rest;
  const at = new Date(frozen);
  const store = open({ now: () => at });
  const written = [];
  const latencies = [];
  for (let index = 0; index < Number(count); index++) {
    const body = `${label}-${index}`;
    const started = performance.now();
    const ref = await store.write({ slug: 'race', body });
    latencies.push(performance.now() - started);
    written.push({ body, name: ref.name });
  }
  process.stdout.write(JSON.stringify({ written, latencies, warnings }));
} else {
  const [stopFile, idleRounds] = rest;
  const delivered = [];
  const latencies = [];
  let idle = 0;
  let sessions = 0;
  // Sessions start until the writers are done and several sessions in a row found nothing.
  while (idle < Number(idleRounds)) {
    const started = performance.now();
    const { handoffs } = await open().start();
    latencies.push(performance.now() - started);
    sessions++;
    delivered.push(...handoffs.map((handoff) => handoff.body));
    if (handoffs.length === 0 && existsSync(stopFile)) idle++;
    else if (handoffs.length > 0) idle = 0;
  }
  process.stdout.write(JSON.stringify({ delivered, sessions, latencies, warnings }));
}
