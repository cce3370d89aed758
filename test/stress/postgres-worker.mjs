// A separate OS process writing to or consuming from a PostgreSQL store, for npm run stress:postgres.
// Usage:
//   node postgres-worker.mjs write <url> <writer id> <count> [pauseMs]
//     writes <count> handoffs with body `w<id>-<n>`; prints one JSON line of the names written
//   node postgres-worker.mjs consume <url> <leaseMs> <limit> <workMs> [host]
//     claims in a loop until SIGTERM; before acknowledging it prints `C [[body, redelivered], …]`,
//     after `A [bodies acknowledged] [names lost]`, each line written synchronously so a SIGKILL
//     cannot lose a line about something that happened.
import { writeSync } from 'node:fs';
import { HandoffStore } from '../../dist/index.js';

const [mode, url, ...rest] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

if (mode === 'write') {
  const [id, count, pauseMs = '0'] = rest;
  const store = new HandoffStore({ store: url, onWarning() {} });
  const names = [];
  for (let index = 0; index < Number(count); index++) {
    names.push((await store.write({ slug: `w${id}`, body: `w${id}-${index}` })).name);
    if (Number(pauseMs) > 0) await sleep(Math.random() * Number(pauseMs));
  }
  await store.close();
  process.stdout.write(`${JSON.stringify({ names })}\n`);
} else if (mode === 'consume') {
  const [leaseMs, limit, workMs, host] = rest;
  // A host tag of its own stands for a consumer on another machine: its death is known to the
  // others only when its lease ends.
  const store = new HandoffStore({ store: url, leaseMs: Number(leaseMs), onWarning() {}, runtime: host ? { host } : undefined });
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
  });
  writeSync(1, 'ready\n');
  while (!stopping) {
    const claim = await store.claim({ limit: Number(limit) });
    if (claim.handoffs.length === 0) {
      await sleep(10);
      continue;
    }
    writeSync(1, `C ${JSON.stringify(claim.handoffs.map((handoff) => [handoff.body, handoff.redelivered]))}\n`);
    if (Number(workMs) > 0) await sleep(Math.random() * Number(workMs));
    const acknowledged = await claim.acknowledge();
    writeSync(1, `A ${JSON.stringify(acknowledged.handoffs.map((handoff) => handoff.body))} ${JSON.stringify(acknowledged.lost)}\n`);
  }
  await store.close();
} else {
  throw new Error(`unknown mode ${mode}`);
}
