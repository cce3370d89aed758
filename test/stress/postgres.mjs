// npm run stress:postgres: races, kills and a server restart against a real PostgreSQL started here
// (127.0.0.1, random port, temporary data folder). Prints one table; exits 1 on any lost or
// duplicated handoff. Scale down for a quick look: node test/stress/postgres.mjs --scale 0.1
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startPostgres } from '../support/postgres-server.mjs';

const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' } } });
const scale = Number(values.scale);
const n = (count) => Math.max(1, Math.round(count * scale));
const worker = join(import.meta.dirname, 'postgres-worker.mjs');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function withSchema(url, schema) {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  parsed.searchParams.set('sslmode', 'disable');
  return parsed.toString();
}

/** A consumer process and what it said it did, line by line, with arrival times. */
function startConsumer(url, { leaseMs, limit, workMs, host }, log) {
  const args = [worker, 'consume', url, String(leaseMs), String(limit), String(workMs), ...(host ? [host] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const consumer = { child, pid: child.pid, host, killedAt: undefined, ready: undefined };
  let buffer = '';
  let markReady;
  consumer.ready = new Promise((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      if (line === 'ready') {
        consumer.readyAt = performance.now();
        markReady();
      }
      else {
        if (line.startsWith('C ')) consumer.claims = (consumer.claims ?? 0) + 1;
        log.push({ pid: consumer.pid, at: performance.now(), line });
      }
    }
  });
  consumer.exited = once(child, 'exit');
  return consumer;
}

function startWriter(url, id, count, pauseMs) {
  const child = spawn(process.execPath, [worker, 'write', url, String(id), String(count), String(pauseMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  return once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`writer ${id} exited with ${code}`);
    return JSON.parse(out).names;
  });
}

async function admin(url) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function consumedCount(url, schema) {
  const client = await admin(url);
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${schema}".handoffs WHERE state = 'consumed'`);
    return rows[0].n;
  } finally {
    await client.end();
  }
}

async function waitConsumed(url, schema, expected, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await consumedCount(url, schema).catch(() => -1);
    if (count >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${count} of ${expected} consumed after ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function stopConsumers(consumers) {
  for (const consumer of consumers) if (consumer.child.exitCode === null && consumer.killedAt === undefined) consumer.child.kill('SIGTERM');
  await Promise.all(consumers.map((consumer) => consumer.exited));
}

/**
 * Checks the figures: every written handoff consumed exactly once in the table and acknowledged at
 * most once by the consumers' own account; every delivery but the last came from a consumer killed
 * before acknowledging it, and every delivery after the first says `redelivered`.
 */
async function analyse(url, schema, written, consumers, log) {
  const client = await admin(url);
  const { rows } = await client.query(`SELECT stamp || '_' || slug || '.md' AS name, state, deliveries FROM "${schema}".handoffs`);
  await client.end();
  const byName = new Map(rows.map((row) => [row.name, row]));
  const lost = written.filter((name) => byName.get(name)?.state !== 'consumed').length;
  const killed = new Map(consumers.filter((consumer) => consumer.killedAt !== undefined).map((consumer) => [consumer.pid, consumer]));
  const deliveries = new Map();
  const acks = new Map();
  for (const entry of log) {
    const [kind, rest] = [entry.line[0], entry.line.slice(2)];
    if (kind === 'C') {
      for (const [body, redelivered] of JSON.parse(rest)) {
        if (!deliveries.has(body)) deliveries.set(body, []);
        deliveries.get(body).push({ pid: entry.pid, at: entry.at, redelivered, acked: false });
      }
    } else if (kind === 'A') {
      const bodies = JSON.parse(rest.slice(0, rest.lastIndexOf(' [')));
      for (const body of bodies) {
        acks.set(body, (acks.get(body) ?? 0) + 1);
        const mine = deliveries.get(body)?.filter((delivery) => delivery.pid === entry.pid).at(-1);
        if (mine) mine.acked = true;
      }
    }
  }
  let duplicated = 0;
  let unexplained = 0;
  let redelivered = 0;
  const latencies = { sameHost: [], otherHost: [] };
  for (const [, list] of deliveries) {
    const acked = list.filter((delivery) => delivery.acked).length;
    if (acked > 1) duplicated += acked - 1;
    list.forEach((delivery, index) => {
      if (index > 0) {
        redelivered++;
        if (!delivery.redelivered) unexplained++;
      }
      if (index < list.length - 1) {
        // An earlier delivery is explained only by its holder's death before acknowledging.
        const holder = killed.get(delivery.pid);
        if (!holder || delivery.acked) unexplained++;
        else (holder.host ? latencies.otherHost : latencies.sameHost).push(list[index + 1].at - holder.killedAt);
      }
    });
  }
  const consumed = rows.filter((row) => row.state === 'consumed').length;
  // Kills that struck between a claim and its acknowledgement (the consumer's last word was a claim).
  const lastWord = new Map();
  for (const entry of log) lastWord.set(entry.pid, entry.line[0]);
  const holding = [...killed.keys()].filter((pid) => lastWord.get(pid) === 'C').length;
  return { holding, written: written.length, consumed, lost, duplicated, redelivered, unexplained, latencies, acked: [...acks.values()].length };
}

/** `median (p10–p90)` of a list of milliseconds. */
function spread(values) {
  if (values.length === 0) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  return `${at(0.5)} (${at(0.1)}–${at(0.9)})`;
}

// ---- scenarios ----------------------------------------------------------------------------------

async function race(server) {
  const schema = 'race';
  const url = withSchema(server.url, schema);
  const log = [];
  const started = performance.now();
  const consumers = Array.from({ length: 8 }, () => startConsumer(url, { leaseMs: 30_000, limit: 10, workMs: 0 }, log));
  await Promise.all(consumers.map((consumer) => consumer.ready));
  const written = (await Promise.all(Array.from({ length: 16 }, (_, id) => startWriter(url, id, n(200), 0)))).flat();
  await waitConsumed(url, schema, written.length);
  await stopConsumers(consumers);
  const figures = await analyse(url, schema, written, consumers, log);
  return { scenario: '16 writers x 200 while 8 consumers claim', processes: 24, ...figures, kills: 0, faults: 0, seconds: (performance.now() - started) / 1000 };
}

async function kills(server) {
  const schema = 'kills';
  const url = withSchema(server.url, schema);
  const log = [];
  const started = performance.now();
  const leaseMs = 1000;
  let spawned = 0;
  // Every other consumer poses as another machine: its death shows only when its lease ends.
  const spawnOne = () => startConsumer(url, { leaseMs, limit: 5, workMs: 150, host: spawned++ % 2 === 1 ? `other${spawned}` : undefined }, log);
  const live = Array.from({ length: 8 }, spawnOne);
  const all = [...live];
  await Promise.all(live.map((consumer) => consumer.ready));
  // Writers pace themselves to keep work coming for as long as the kills go on.
  const writing = Promise.all(Array.from({ length: 4 }, (_, id) => startWriter(url, id, n(1600), 100)));
  const target = n(200);
  let killCount = 0;
  while (killCount < target) {
    // Paced so that respawning node processes does not saturate the two cores the server shares.
    await sleep(250 + Math.random() * 350);
    // A consumer still starting up holds nothing: the kills land in running claim loops (or, once
    // the writers are done and there is nothing left to claim, in idle ones).
    const now = performance.now();
    const ready = live
      .map((consumer, index) => [consumer, index])
      .filter(([consumer]) => consumer.claims > 0 || (consumer.readyAt !== undefined && now - consumer.readyAt > 1000));
    if (ready.length === 0) continue;
    const [victim, index] = ready[Math.floor(Math.random() * ready.length)];
    victim.killedAt = performance.now();
    victim.child.kill('SIGKILL');
    killCount++;
    const replacement = spawnOne();
    live[index] = replacement;
    all.push(replacement);
  }
  const written = (await writing).flat();
  await waitConsumed(url, schema, written.length);
  await stopConsumers(all);
  const figures = await analyse(url, schema, written, all, log);
  return {
    scenario: `SIGKILL of consumers at random points (lease ${leaseMs} ms)`,
    processes: all.length + 4,
    ...figures,
    kills: killCount,
    faults: 0,
    seconds: (performance.now() - started) / 1000,
  };
}

async function restarts(server) {
  const schema = 'restart';
  const url = withSchema(server.url, schema);
  const log = [];
  const started = performance.now();
  const consumers = Array.from({ length: 8 }, () => startConsumer(url, { leaseMs: 30_000, limit: 10, workMs: 5 }, log));
  await Promise.all(consumers.map((consumer) => consumer.ready));
  const writing = Promise.all(Array.from({ length: 8 }, (_, id) => startWriter(url, id, n(200), 10)));
  let cuts = 0;
  let stopCutting = false;
  // Cuts connections in the middle of claims (and of anything else the store is doing).
  const cutting = (async () => {
    let client;
    while (!stopCutting) {
      try {
        client ??= await admin(url);
        const { rows } = await client.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE application_name = 'handoffs' AND pid <> pg_backend_pid() AND state = 'active'
             AND (query LIKE '%SKIP LOCKED%' OR random() < 0.2)
           LIMIT 2`,
        );
        cuts += rows.length;
      } catch {
        await client?.end().catch(() => {});
        client = undefined;
      }
      await sleep(30 + Math.random() * 60);
    }
    await client?.end().catch(() => {});
  })();
  await sleep(1500);
  await server.restart({ crash: true, downMs: 500 });
  await sleep(1500);
  await server.restart({ crash: false, downMs: 200 });
  const written = (await writing).flat();
  await waitConsumed(url, schema, written.length);
  stopCutting = true;
  await cutting;
  await stopConsumers(consumers);
  const figures = await analyse(url, schema, written, consumers, log);
  return {
    scenario: 'server killed and restarted, connections cut mid-claim',
    processes: 16,
    ...figures,
    kills: 0,
    faults: cuts + 2,
    seconds: (performance.now() - started) / 1000,
  };
}

function table(rows) {
  const header = ['scenario', 'processes', 'written', 'consumed', 'lost', 'acked twice', 'redelivered', 'unexplained', 'kills (holding a claim)', 'faults', 'kill to redelivery, ms: same host / other host, median (p10–p90)', 's'];
  const lines = rows.map((row) => [
    row.scenario,
    row.processes,
    row.written,
    row.consumed,
    row.lost,
    row.duplicated,
    row.redelivered,
    row.unexplained,
    `${row.kills} (${row.holding})`,
    row.faults,
    `${spread(row.latencies.sameHost)} / ${spread(row.latencies.otherHost)}`,
    row.seconds.toFixed(1),
  ]);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

const server = await startPostgres({ tls: false });
const rows = [];
try {
  for (const scenario of [race, kills, restarts]) {
    rows.push(await scenario(server));
    process.stderr.write(`done: ${rows.at(-1).scenario}\n`);
  }
} finally {
  await server.stop();
}
const bad = rows.reduce((sum, row) => sum + row.lost + row.duplicated + row.unexplained, 0);
const totalKills = rows.reduce((sum, row) => sum + row.kills, 0);
const report = [
  `Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, ${cpus().length} cores; PostgreSQL started by the script in ${Math.round(server.startMs)} ms.`,
  '',
  table(rows),
  '',
  `${totalKills} SIGKILLs, ${rows.reduce((sum, row) => sum + row.faults, 0)} connection cuts and restarts; lost + acked twice + unexplained redeliveries = ${bad}.`,
];
console.log(report.join('\n'));
// The full-size run writes its figures into docs/RELIABILITY.md, between its markers.
if (scale === 1) {
  const path = join(import.meta.dirname, '..', '..', 'docs', 'RELIABILITY.md');
  const text = readFileSync(path, 'utf8');
  const [begin, end] = ['<!-- postgres-stress:begin -->', '<!-- postgres-stress:end -->'];
  if (text.includes(begin) && text.includes(end)) {
    writeFileSync(path, `${text.slice(0, text.indexOf(begin) + begin.length)}\n${report.join('\n')}\n${text.slice(text.indexOf(end))}`);
  }
}
process.exitCode = bad === 0 ? 0 : 1;
