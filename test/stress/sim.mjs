// npm run stress:sim (also the last part of npm run stress): the deterministic simulation at full
// size: every small scenario exhaustively, and a million seeded random schedules over two
// processes. Prints the figures and writes them into docs/RELIABILITY.md between the sim markers.
// A quick look: node test/stress/sim.mjs --schedules 20000 (under 100 000 it does not update the
// docs; from 100 000 on it does, saying how many ran).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..', '..');
const { values } = parseArgs({ options: { schedules: { type: 'string', default: '1000000' } } });
const schedules = Number(values.schedules);
const full = schedules >= 100_000;
const figures = join(root, '.stress');
rmSync(figures, { recursive: true, force: true });

const started = Date.now();
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', '--config', 'vitest.sim.config.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SIM_RANDOM_SCHEDULES: String(schedules) },
});
const read = (part) => JSON.parse(readFileSync(join(figures, `sim-${part}.json`), 'utf8'));
const exhaustive = read('exhaustive');
const random = ['random-a', 'random-b'].map(read);
const sum = (key) => random.reduce((total, part) => total + part[key], 0);
const violations = exhaustive.reduce((total, row) => total + row.violations, 0) + random.reduce((total, part) => total + part.violations.length, 0);
const minutes = Math.round((Date.now() - started) / 60_000);

const table = [
  '| scenario (exhaustive) | actors | crashes allowed | clock jumps allowed | states | schedules run to the end | cut at a state already explored | longest schedule (steps) | violations |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...exhaustive.map((row) => `| ${row.scenario} | ${row.actors} | ${row.crashes} | ${row.clockJumps} | ${row.states} | ${row.schedules} | ${row.pruned} | ${row.longest} | ${row.violations} |`),
].join('\n');
const summary =
  `Random schedules: ${sum('schedules')} seeded schedules of random scenarios (1-3 writers, 1-3 consumers, a cleaner, a restorer, ` +
  `0-2 index updaters, a legacy file on the same or another device; up to 2 crashes and 2 clock jumps each): ` +
  `${sum('steps')} steps, ${sum('crashes')} crashes, ${sum('clockJumps')} clock jumps, ${sum('cut')} cut by the step budget, ` +
  `**${random.reduce((total, part) => total + part.violations.length, 0)} violations**.`;
const text = `${table}\n\n${summary}\n\nAll told: **${violations} violations**. Node ${process.version}, ${cpus().length} cores, ${minutes} min.`;
console.log(`\n${text}`);

if (full) {
  const docs = join(root, 'docs', 'RELIABILITY.md');
  const page = readFileSync(docs, 'utf8');
  const begin = '<!-- sim:begin -->';
  const end = '<!-- sim:end -->';
  const stamp = `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run stress\`.`;
  if (page.includes(begin)) {
    writeFileSync(docs, page.replace(new RegExp(`${begin}[\\s\\S]*${end}`), `${begin}\n${stamp}\n\n${text}\n${end}`));
    console.log(`\nwrote the figures into ${docs}`);
  }
}
process.exitCode = run.status === 0 && violations === 0 ? 0 : 1;
