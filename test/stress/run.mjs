// npm run stress: the full-size race and crash scenarios, printed as one table.
// Sizes can be scaled down for a quick look: node test/stress/run.mjs --scale 0.1
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { crashConsumers, crashUpserts, crashWriters, mixed, raceConsumers, raceWriters, table } from './scenarios.mjs';

const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' } } });
const scale = Number(values.scale);
const n = (count) => Math.max(1, Math.round(count * scale));

const started = Date.now();
const steps = [
  () => raceWriters({ writers: 16, perWriter: n(200) }),
  () => raceConsumers({ consumers: 8, handoffs: n(5000) }),
  () => mixed({ writers: 8, perWriter: n(100), consumers: 6, cleaners: 2 }),
  () => crashWriters({ kills: n(250) }),
  () => crashConsumers({ kills: n(150), handoffs: 25 }),
  () => crashUpserts({ kills: n(100) }),
];
const rows = [];
for (const step of steps) {
  const result = await step();
  rows.push(result);
  process.stderr.write(`done: ${result.scenario}\n`);
}
const kills = rows.reduce((sum, r) => sum + r.kills, 0);
// Expired consumed files that cleanup failed to delete count as failures too.
const bad = rows.reduce((sum, r) => sum + r.lost + r.duplicated + r.overwritten + r.partial + (r.oldLeft ?? 0), 0);
const holders = rows.find((r) => r.killedHolders !== undefined);
const text = [
  table(rows),
  '',
  `${kills} SIGKILLs in all; lost + duplicated + overwritten + partial = ${bad}.`,
  holders
    ? `Consumers killed while holding claims: killed holders: ${holders.killedHolders}, handoffs they held: ${holders.held}, ` +
      `re-delivered: ${holders.held} (each taken over by the next claim, as their pids were gone), lost: ${holders.lost}, ` +
      `consumed twice: ${holders.duplicated}.`
    : '',
  `Node ${process.version}, ${cpus().length} cores, ${Math.round((Date.now() - started) / 1000)} s.`,
].join('\n');
console.log(text);
if (scale === 1) {
  // The full run writes its figures into the page that cites them.
  const docs = join(import.meta.dirname, '..', '..', 'docs', 'RELIABILITY.md');
  const page = readFileSync(docs, 'utf8');
  const stamp = `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run stress\`.`;
  if (page.includes('<!-- stress:begin -->')) {
    writeFileSync(docs, page.replace(/<!-- stress:begin -->[\s\S]*<!-- stress:end -->/, `<!-- stress:begin -->\n${stamp}\n\n${text}\n<!-- stress:end -->`));
  }
}
process.exitCode = bad === 0 ? 0 : 1;
