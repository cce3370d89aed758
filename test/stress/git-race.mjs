// npm run stress:git: many machines write same-second, same-slug handoffs to one git remote while
// other machines start sessions in a loop; every handoff must be acknowledged exactly once.
// Machines are separate queue directories and HOMEs; writers and starters are separate processes.
// Options: --machines 4 --writers 4 --per-writer 50 --starters 4 --transport daemon|http|file
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startServer } from './git-servers.mjs';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    machines: { type: 'string', default: '4' },
    writers: { type: 'string', default: '4' },
    'per-writer': { type: 'string', default: '50' },
    starters: { type: 'string', default: '4' },
    transport: { type: 'string', default: 'daemon' },
  },
});
const machines = Number(values.machines);
const writers = Number(values.writers);
const perWriter = Number(values['per-writer']);
const starters = Number(values.starters);
const worker = join(import.meta.dirname, 'git-worker.mjs');

const root = await mkdtemp(join(tmpdir(), 'handoffs-git-stress-'));
const home = join(root, 'home');
await mkdir(home, { recursive: true });
await writeFile(join(home, '.gitconfig'), '[user]\n\tname = Stress\n\temail = stress@example.invalid\n');
const env = { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: join(home, '.gitconfig'), LANG: 'C.UTF-8' };
const repos = join(root, 'remotes');
await mkdir(repos);
await run('git', ['init', '--quiet', '--bare', join(repos, 'race.git')], { env });
await run('git', ['--git-dir', join(repos, 'race.git'), 'config', 'http.receivepack', 'true'], { env });
const server = await startServer(values.transport, repos, env);
const url = server.url('race');

const node = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker ${args[0]} exited ${code}`))));
  });

const stopFile = join(root, 'writers-done');
const started = Date.now();
const frozen = new Date().toISOString();
const starting = Array.from({ length: starters }, (_, index) => node(['start', url, join(root, `starter-${index}`, 'queue'), stopFile, '3']));
const writing = [];
for (let machine = 0; machine < machines; machine++) {
  for (let writer = 0; writer < writers; writer++) {
    writing.push(node(['write', url, join(root, `machine-${machine}`, 'queue'), `m${machine}w${writer}`, String(perWriter), frozen]));
  }
}
const written = await Promise.all(writing);
const writeSeconds = (Date.now() - started) / 1000;
await writeFile(stopFile, '');
const sessions = await Promise.all(starting);
const seconds = (Date.now() - started) / 1000;

const bodies = written.flatMap((result) => result.written.map((entry) => entry.body));
const names = written.flatMap((result) => result.written.map((entry) => entry.name));
const delivered = sessions.flatMap((result) => result.delivered);
const counts = new Map();
for (const body of delivered) counts.set(body, (counts.get(body) ?? 0) + 1);
const lost = bodies.filter((body) => !counts.has(body)).length;
const duplicated = [...counts.values()].filter((count) => count > 1).length;
const foreign = [...counts.keys()].filter((body) => !bodies.includes(body)).length;
const refs = (await run('git', ['--git-dir', join(repos, 'race.git'), 'for-each-ref', '--format=%(refname)', 'refs/handoffs/'], { env })).stdout.trim().split('\n').filter(Boolean);
const percentile = (list, p) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const writeLatencies = written.flatMap((result) => result.latencies);
const startLatencies = sessions.flatMap((result) => result.latencies);
const warnings = [...new Set([...written, ...sessions].flatMap((result) => result.warnings))];

console.log(`git store race over ${values.transport}: ${machines} machines × ${writers} writer processes × ${perWriter} same-second same-slug handoffs, ${starters} machines starting sessions`);
console.log(`| written | delivered | lost | duplicated | foreign | remote refs | distinct names | sessions | write p50 / p95 ms | start p50 / p95 ms | writes done s | total s |`);
console.log(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
console.log(
  `| ${bodies.length} | ${delivered.length} | ${lost} | ${duplicated} | ${foreign} | ${refs.length} | ${new Set(names).size} | ${sessions.reduce((sum, s) => sum + s.sessions, 0)} | ` +
    `${Math.round(percentile(writeLatencies, 50))} / ${Math.round(percentile(writeLatencies, 95))} | ${Math.round(percentile(startLatencies, 50))} / ${Math.round(percentile(startLatencies, 95))} | ${writeSeconds.toFixed(0)} | ${seconds.toFixed(0)} |`,
);
if (warnings.length > 0) console.log(`warnings (${warnings.length} distinct): ${warnings.slice(0, 5).join(' | ')}`);
console.log(`Node ${process.version}, ${cpus().length} cores, git ${(await run('git', ['--version'])).stdout.trim().replace('git version ', '')}.`);
await server.dispose();
await rm(root, { recursive: true, force: true });
process.exitCode = lost + duplicated + foreign === 0 && delivered.length === bodies.length && refs.length === bodies.length ? 0 : 1;
