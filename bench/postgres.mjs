// npm run bench:postgres: the PostgreSQL store against the floor of the same client (pg) doing the
// bare statement, on a real server started here (127.0.0.1, random port). Without fsync by default,
// so that the figures show what the statements cost rather than the disk's flush, which would add
// the same to store and floor alike (--fsync measures with it). Ratios are measured in one run.
// Writes the figures into docs/BENCHMARKS.md between its PostgreSQL markers (not with --quick).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { HandoffStore, postgresStore } from '../dist/index.js';
import { startPostgres } from '../test/support/postgres-server.mjs';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, fsync: { type: 'boolean', default: false } } });
const quick = values.quick;
const durable = values.fsync;
const out = [];
const print = (line = '') => {
  out.push(line);
  console.log(line);
};
const BODY = `${'Done: the login flow. Next: token refresh, then the settings page.\n'.repeat(30)}`; // ~2 KB

function url(server, schema) {
  const parsed = new URL(server.url);
  parsed.searchParams.set('schema', schema);
  parsed.searchParams.set('sslmode', 'disable');
  return parsed.toString();
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), perSecond: 1000 / (samples.reduce((a, b) => a + b, 0) / samples.length) };
}

/** Runs `op` `count` times in sequence after `warm` unmeasured runs; ms per call. */
async function timed(count, op, warm = Math.min(50, count)) {
  for (let index = 0; index < warm; index++) await op(index);
  const samples = [];
  for (let index = 0; index < count; index++) {
    const start = performance.now();
    await op(index + warm);
    samples.push(performance.now() - start);
  }
  return stats(samples);
}

const us = (ms) => `${Math.round(ms * 1000)} µs`;
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

/** Counts statements the pg client sends, to show a claim is one round trip. */
function countQueries() {
  const original = pg.Client.prototype.query;
  let count = 0;
  pg.Client.prototype.query = function (...args) {
    count++;
    return original.apply(this, args);
  };
  return () => {
    pg.Client.prototype.query = original;
    return count;
  };
}

async function adminClient(server) {
  const client = new pg.Client({ connectionString: url(server, 'x') });
  await client.connect();
  return client;
}

// ---- 1. write and claim against the bare statements ------------------------------------------

async function floors(server) {
  const count = quick ? 300 : 2000;
  const admin = await adminClient(server);
  await admin.query('CREATE TABLE floor_insert (id bigserial PRIMARY KEY, data bytea NOT NULL)');
  await admin.query("CREATE TABLE floor_claim (id bigserial PRIMARY KEY, state text NOT NULL DEFAULT 'pending', data bytea NOT NULL)");
  const client = await adminClient(server);
  const data = Buffer.from(BODY);
  const schema = 'floors';
  const backend = postgresStore({ url: url(server, schema) });
  const store = new HandoffStore({ store: backend, onWarning() {} });

  // Store and floor take turns, call by call, so that the load of a shared machine falls on both.
  const samples = { insert: [], write: [], byId: [], queue: [], claim: [], acknowledge: [], consume: [] };
  const round = async (ops, warm) => {
    for (const [key, op] of ops) {
      const start = performance.now();
      await op();
      if (!warm) samples[key].push(performance.now() - start);
    }
  };
  let n = 0;
  for (let index = 0; index < count + 50; index++) {
    n++;
    await round(
      [
        ['insert', () => client.query('INSERT INTO floor_insert (data) VALUES ($1)', [data])],
        ['write', () => store.write({ slug: `bench ${n}`, body: BODY, meta: { project: '/work/p' } })],
      ],
      index < 50,
    );
  }
  // A backlog for the claims (twice what they take), and fresh statistics for store and floor alike.
  for (let index = 0; index < count + 100; index++) await store.write({ slug: `backlog ${index}`, body: BODY });
  await admin.query(`INSERT INTO floor_claim (data) SELECT $1 FROM generate_series(1, ${2 * count + 200})`, [data]);
  await admin.query('VACUUM ANALYZE floor_claim');
  await admin.query(`VACUUM ANALYZE "${schema}".handoffs`);
  n = 0;
  for (let index = 0; index < count + 50; index++) {
    n++;
    let held;
    await round(
      [
        ['byId', () => client.query("UPDATE floor_claim SET state = 'claimed' WHERE id = $1 RETURNING data", [2 * count + 200 - n])],
        [
          'queue',
          () =>
            client.query(
              "UPDATE floor_claim SET state = 'claimed' WHERE id = (SELECT id FROM floor_claim WHERE state = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING data",
            ),
        ],
        ['claim', async () => (held = await store.claim({ limit: 1 }))],
        ['acknowledge', () => held.acknowledge()],
        ['consume', () => store.consume({ limit: 1 })],
      ],
      index < 50,
    );
  }
  await store.close();
  await client.end();
  await admin.end();
  const [insert, write, byId, queue, claim, acknowledge, consume] = ['insert', 'write', 'byId', 'queue', 'claim', 'acknowledge', 'consume'].map((key) =>
    stats(samples[key]),
  );

  print('## PostgreSQL 1. Write and claim against the bare statement of the same client');
  print();
  print(
    `One process, one connection each, calls in turn (store, floor, store, …) so that the load of the machine falls on both; a 2 KB handoff, ${count} calls each; median (p99). The store's calls include HandoffStore's own work (encoding, front matter, sorting).`,
  );
  print();
  print('| operation | store | floor | ratio | target |');
  print('| --- | ---: | ---: | ---: | --- |');
  print(`| write: \`store.write()\` vs bare \`INSERT\` | ${us(write.p50)} (${us(write.p99)}) | ${us(insert.p50)} (${us(insert.p99)}) | ${ratio(write.p50, insert.p50)} | ≤ 1.5× |`);
  print(
    `| claim one: \`store.claim({ limit: 1 })\` vs bare queue claim \`UPDATE … WHERE id = (SELECT … ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING\` | ${us(claim.p50)} (${us(claim.p99)}) | ${us(queue.p50)} (${us(queue.p99)}) | ${ratio(claim.p50, queue.p50)} | ≤ 1.5× |`,
  );
  print(`| claim one vs bare \`UPDATE … WHERE id = $1 RETURNING\` | ${us(claim.p50)} | ${us(byId.p50)} (${us(byId.p99)}) | ${ratio(claim.p50, byId.p50)} | – |`);
  print(`| acknowledge one vs bare \`UPDATE … WHERE id = $1 RETURNING\` | ${us(acknowledge.p50)} (${us(acknowledge.p99)}) | ${us(byId.p50)} | ${ratio(acknowledge.p50, byId.p50)} | – |`);
  print(`| \`consume({ limit: 1 })\` (claim + acknowledge) vs queue claim + UPDATE by id | ${us(consume.p50)} (${us(consume.p99)}) | ${us(queue.p50 + byId.p50)} | ${ratio(consume.p50, queue.p50 + byId.p50)} | – |`);
  print();
  print(`Throughput, one connection, from the medians: write ${Math.round(1000 / write.p50)}/s (bare INSERT ${Math.round(1000 / insert.p50)}/s), claim ${Math.round(1000 / claim.p50)}/s, consume ${Math.round(1000 / consume.p50)}/s.`);
  print();
}

// ---- 2. claim of 1 000 pending in one round trip --------------------------------------------

async function bigClaim(server) {
  const count = 1000;
  const store = new HandoffStore({ store: url(server, 'bigclaim'), onWarning() {} });
  const runs = quick ? 3 : 7;
  const times = [];
  let statements = 0;
  for (let run = 0; run < runs; run++) {
    for (let index = 0; index < count; index++) await store.write({ slug: `b${index}`, body: BODY });
    const stop = countQueries();
    const start = performance.now();
    const claim = await store.claim();
    times.push(performance.now() - start);
    statements = stop();
    if (claim.handoffs.length !== count) throw new Error(`claimed ${claim.handoffs.length} of ${count}`);
    await claim.acknowledge();
  }
  await store.close();
  const { p50 } = stats(times);
  print('## PostgreSQL 2. Claim of 1 000 pending handoffs');
  print();
  print(`\`store.claim()\` with 1 000 pending (2 KB each): ${statements} statement${statements === 1 ? '' : 's'} sent, median ${p50.toFixed(1)} ms over ${runs} runs (${us(p50 / count)} per handoff, bodies included).`);
  print();
}

// ---- 3. consume latency against table size ---------------------------------------------------

async function tableSize(server) {
  const sizes = quick ? [1_000, 10_000, 100_000] : [1_000, 10_000, 100_000, 1_000_000];
  const schema = 'size';
  const backend = postgresStore({ url: url(server, schema) });
  await backend.migrate();
  const store = new HandoffStore({ store: backend, onWarning() {} });
  const admin = await adminClient(server);
  const rows = [];
  let present = 0;
  for (const size of sizes) {
    // Consumed history, inserted in bulk; a steady backlog of 100 pending on top.
    await admin.query(
      `INSERT INTO "${schema}".handoffs (id, name, stamp, slug, created_at, created_offset_minutes, data, meta, state, consumed_at, batch, claim_token, deliveries)
       SELECT i, '2025-01-01_000000_old-' || i || '~b-' || i || '_done.md', '2025-01-01_000000', 'old-' || i, now() - interval '1 day', 0, $1, '{}', 'consumed', now(), 'b', 't' || i, 1
       FROM generate_series($2::bigint, $3::bigint) AS i`,
      [Buffer.from(BODY), present + 1, size],
    );
    present = size;
    await admin.query(`VACUUM ANALYZE "${schema}".handoffs`);
    const pending = (await store.list()).length;
    for (let index = pending; index < 100; index++) await store.write({ slug: `p${index}`, body: BODY });
    const consume = await timed(quick ? 200 : 500, async (index) => {
      await store.write({ slug: `c${index}`, body: BODY });
      await store.consume({ limit: 1 });
    });
    const { rows: [{ bytes }] } = await admin.query(`SELECT pg_total_relation_size('"${schema}".handoffs') AS bytes`);
    rows.push({ size, consume, bytes: Number(bytes) });
  }
  await store.close();
  await admin.end();
  print('## PostgreSQL 3. Write + consume latency against rows in the table');
  print();
  print('Consumed rows in the table (history within retention) plus 100 pending; each step writes one handoff and consumes the oldest (`consume({ limit: 1 })`). Median (p99).');
  print();
  print('| rows in table | table + indexes | write + consume | ratio to 1 000 rows |');
  print('| ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    print(`| ${row.size.toLocaleString('en')} | ${(row.bytes / 1e6).toFixed(0)} MB | ${us(row.consume.p50)} (${us(row.consume.p99)}) | ${ratio(row.consume.p50, rows[0].consume.p50)} |`);
  }
  print();
}

// ---- 4. concurrent workers -------------------------------------------------------------------

async function workers(server) {
  const levels = quick ? [1, 4, 16, 64] : [1, 2, 4, 8, 16, 32, 64, 128, 256];
  const durationMs = quick ? 2000 : 5000;
  const results = [];
  for (const level of levels) {
    const schema = `workers_${level}`;
    await postgresStore({ url: url(server, schema) }).migrate();
    const stores = Array.from({ length: level }, () => new HandoffStore({ store: postgresStore({ url: url(server, schema), maxConnections: 1 }), onWarning() {} }));
    // Each worker: write one handoff, then consume one (its own or another's), in a loop.
    const samples = [];
    const deadline = performance.now() + durationMs;
    await Promise.all(
      stores.map(async (store, worker) => {
        for (let index = 0; performance.now() < deadline; index++) {
          const start = performance.now();
          await store.write({ slug: `w${worker}-${index}`, body: BODY });
          await store.consume({ limit: 1 });
          samples.push(performance.now() - start);
        }
      }),
    );
    await Promise.all(stores.map((store) => store.close()));
    const { p50, p99 } = stats(samples);
    results.push({ level, p50, p99, perSecond: samples.length / (durationMs / 1000) });
  }
  const base = results[0].p50;
  const doubled = results.find((result) => result.p50 >= 2 * base);
  print('## PostgreSQL 4. Concurrent workers on one server');
  print();
  print(`Workers in one process, each with its own store and one connection, each looping write + consume for ${durationMs / 1000} s. Median (p99) per write + consume, and handoffs through the server per second.`);
  print();
  print('| workers | write + consume | ratio to 1 worker | handoffs/s |');
  print('| ---: | ---: | ---: | ---: |');
  for (const result of results) print(`| ${result.level} | ${(result.p50).toFixed(2)} ms (${result.p99.toFixed(1)} ms) | ${ratio(result.p50, base)} | ${Math.round(result.perSecond)} |`);
  print();
  print(
    doubled
      ? `Latency doubles at ${doubled.level} concurrent workers on this machine; throughput is then the server's (and the bench process's) CPU: ${cpus().length} cores shared by both.`
      : `Latency stayed under twice the single worker's up to ${results.at(-1).level} workers.`,
  );
  print();
}

const server = await startPostgres({ tls: false, settings: durable ? { fsync: 'on', full_page_writes: 'on' } : {} });
try {
  const { rows } = await (async () => {
    const client = await adminClient(server);
    try {
      return await client.query('SELECT version()');
    } finally {
      await client.end();
    }
  })();
  print(`Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}, ${Math.round(totalmem() / 2 ** 30)} GiB; ${rows[0].version.split(' on ')[0]} on 127.0.0.1 with fsync ${durable ? 'on' : 'off'} (synchronous_commit on), started by the bench in ${Math.round(server.startMs)} ms; client pg ${JSON.parse(readFileSync(join(import.meta.dirname, '..', 'node_modules', 'pg', 'package.json'), 'utf8')).version}.`);
  print();
  await floors(server);
  await bigClaim(server);
  await tableSize(server);
  await workers(server);
} finally {
  await server.stop();
}

if (!quick) {
  const report = join(import.meta.dirname, '..', 'docs', 'BENCHMARKS.md');
  const text = readFileSync(report, 'utf8');
  const [begin, end] = ['<!-- postgres:begin -->', '<!-- postgres:end -->'];
  if (text.includes(begin) && text.includes(end)) {
    writeFileSync(report, `${text.slice(0, text.indexOf(begin) + begin.length)}\n${out.join('\n')}\n${text.slice(text.indexOf(end))}`);
  }
}
