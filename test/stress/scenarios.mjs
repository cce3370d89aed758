// Race and crash scenarios with real processes on real disk. Each returns one row of figures.
// Used small by `npm test` (test/reliability/stress.test.ts) and full size by `npm run stress`.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HandoffStore, MemoryIndex, decodeHandoff, parseHandoffName, parseIndex } from '../../dist/index.js';

const workers = join(import.meta.dirname, '..', 'workers');
const handoffWorker = join(workers, 'handoff-worker.mjs');
const memoryWorker = join(workers, 'memory-worker.mjs');

/** One row of the figures table. */
export function row(scenario, fields) {
  return { scenario, processes: 0, written: 0, consumed: 0, lost: 0, duplicated: 0, overwritten: 0, partial: 0, kills: 0, killsSurvived: 0, ...fields };
}

/** A claim file's holder pid (`.claim_<batch>-<tag>_<expiry>_<pid>-<host>_…`), or undefined. */
const claimHolder = (name) => /^\.claim_[a-z0-9]+-[a-z0-9]+_[a-z0-9]+_(\d+)-/.exec(name)?.[1];

/** A file's body, front matter removed. */
const bodyOf = (text) => decodeHandoff(Buffer.from(text)).body;

function runWorker(script, args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, ...args], { maxBuffer: 256 * 1024 * 1024 }, (error, stdout) =>
      error ? reject(error) : resolve(JSON.parse(stdout)),
    );
  });
}

async function withDir(run) {
  const root = await mkdtemp(join(tmpdir(), 'handoffs-stress-'));
  try {
    return await run(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Reads every file with a handoff name (but those in `skip`): bodies, and how many are not whole. */
async function inspect(dir, skip = new Set()) {
  const bodies = [];
  const names = [];
  const inodes = new Set();
  let partial = 0;
  for (const name of await readdir(dir).catch(() => [])) {
    if (!(parseHandoffName(name) || claimHolder(name)) || skip.has(name)) continue;
    names.push(name);
    const info = await lstat(join(dir, name)).catch(() => undefined);
    if (!info?.isFile()) continue;
    inodes.add(info.ino);
    const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const body = bodyOf(text);
    const match = /^begin-([\w-]+)\n/.exec(body);
    if (!match || !body.endsWith(`\nend-${match[1]}\n`)) partial++;
    bodies.push(body);
  }
  return { bodies, names, inodes: inodes.size, partial };
}

/** Many writer processes, the same slug, the same second. */
export async function raceWriters({ writers, perWriter }) {
  return withDir(async (root) => {
    const dir = join(root, 'h');
    const fixed = String(Date.UTC(2026, 1, 27, 14, 30, 22));
    const startAt = Date.now() + 500 + writers * 40;
    const results = await Promise.all(
      Array.from({ length: writers }, () => runWorker(handoffWorker, ['write', dir, String(startAt), String(perWriter), 'same', fixed])),
    );
    const written = results.flatMap((result) => result.names);
    const files = (await readdir(dir)).filter((name) => parseHandoffName(name));
    const bodies = await Promise.all(files.map(async (name) => bodyOf(await readFile(join(dir, name), 'utf8'))));
    const expected = writers * perWriter;
    const distinct = new Set(bodies).size;
    return row('writers, same slug and second', {
      processes: writers,
      written: written.length,
      lost: expected - files.length,
      duplicated: files.length - distinct,
      overwritten: expected - distinct - (expected - files.length),
      partial: bodies.filter((text) => !/^writer \d+ handoff \d+\n$/.test(text)).length,
    });
  });
}

/** Many consumer processes racing over pending handoffs. */
export async function raceConsumers({ consumers, handoffs }) {
  return withDir(async (root) => {
    const dir = join(root, 'h');
    const store = new HandoffStore({ dir, durable: false });
    for (let index = 0; index < handoffs; index++) await store.write({ slug: `t${index % 50}`, body: `begin-h${index}\nend-h${index}\n` });
    const startAt = Date.now() + 500 + consumers * 40;
    const results = await Promise.all(Array.from({ length: consumers }, () => runWorker(handoffWorker, ['consume', dir, String(startAt), '3'])));
    const claimed = results.flatMap((result) => result.claimed.map((handoff) => handoff.body));
    const distinct = new Set(claimed).size;
    const { partial } = await inspect(dir);
    return row('consumers racing', {
      processes: consumers,
      written: handoffs,
      consumed: claimed.length,
      lost: handoffs - distinct,
      duplicated: claimed.length - distinct,
      partial,
    });
  });
}

/** Writers, consumers and cleanup all at once, with old consumed files for cleanup to delete. */
export async function mixed({ writers, perWriter, consumers, cleaners }) {
  return withDir(async (root) => {
    const dir = join(root, 'h');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const old = new Date(Date.now() - 30 * 86_400_000);
    for (let index = 0; index < 200; index++) {
      const time = `${String(Math.floor(index / 60)).padStart(2, '0')}${String(index % 60).padStart(2, '0')}`;
      const path = join(dir, `2026-01-01_00${time}_old_done.md`);
      await writeFile(path, 'old');
      await utimes(path, old, old);
    }
    const startAt = Date.now() + 500 + (writers + consumers + cleaners) * 40;
    const running = [
      ...Array.from({ length: writers }, () => runWorker(handoffWorker, ['write', dir, String(startAt), String(perWriter), 'mixed'])),
      ...Array.from({ length: consumers }, () => runWorker(handoffWorker, ['consume', dir, String(startAt), String(perWriter)])),
      ...Array.from({ length: cleaners }, () => runWorker(handoffWorker, ['cleanup', dir, String(startAt), '20'])),
    ];
    const results = await Promise.all(running);
    const written = results.filter((result) => result.names).flatMap((result) => result.names);
    const claimed = results.filter((result) => result.claimed).flatMap((result) => result.claimed.map((handoff) => handoff.body));
    const rest = (await new HandoffStore({ dir, durable: false }).consume()).handoffs.map((handoff) => handoff.body);
    const all = [...claimed, ...rest];
    const distinct = new Set(all).size;
    const left = (await readdir(dir)).filter((name) => name.includes('_old_done')).length;
    return row('writers + consumers + cleanup', {
      processes: writers + consumers + cleaners,
      written: written.length,
      consumed: all.length,
      lost: written.length - distinct,
      duplicated: all.length - distinct,
      partial: all.filter((text) => !/^writer \d+ handoff \d+\n$/.test(text)).length,
      oldLeft: left,
    });
  });
}

function randomDelay(min, max) {
  return new Promise((resolve) => setTimeout(resolve, min + Math.random() * (max - min)));
}

/** Starts a worker, kills it with SIGKILL once it is ready plus a random delay; returns its pid. */
async function startAndKill(script, args, minMs, maxMs) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = once(child, 'exit');
  // A worker that dies on its own (an error, or dist/ rebuilt under it) must fail the run, not hang it.
  if ((await Promise.race([once(child.stdout, 'data').then(() => 'ready'), exited.then(() => 'exited')])) === 'exited') {
    throw new Error(`worker ${args[0]} exited before it was ready: ${stderr.trim()}`);
  }
  await randomDelay(minMs, maxMs);
  if (child.exitCode !== null) throw new Error(`worker ${args[0]} exited by itself (${child.exitCode}) before the kill: ${stderr.trim()}`);
  child.kill('SIGKILL');
  await exited;
  return child.pid;
}

/** A writer of 1-5 MB handoffs killed at random moments; every published file must be whole. */
export async function crashWriters({ kills }) {
  return withDir(async (root) => {
    const dir = join(root, 'h');
    let survived = 0;
    let partial = 0;
    let published = 0;
    for (let kill = 0; kill < kills; kill++) {
      await startAndKill(handoffWorker, ['write-forever', dir, '0', String(kill), 'big'], 5, 150);
      // Published files never change, so each is checked once, then removed to bound the disk used.
      const seen = await inspect(dir);
      partial += seen.partial;
      published += seen.names.length;
      if (seen.partial === 0) survived++;
      await Promise.all(seen.names.map((name) => rm(join(dir, name), { force: true })));
    }
    const { cleanup } = await new HandoffStore({ dir, durable: false, staleTempMs: 0 }).start();
    const temporaries = (await readdir(dir)).filter((name) => name.startsWith('.')).length;
    return row('writer killed (SIGKILL), 1-5 MB bodies', {
      processes: kills,
      written: published,
      consumed: published,
      partial: partial + temporaries,
      kills,
      killsSurvived: survived,
      temporarySwept: cleanup.temporaryRemoved.length,
    });
  });
}

/**
 * A consumer (claim, then acknowledge, in a loop) killed at random moments. A consumer killed while
 * it holds claims is a killed holder: its claims must be taken over and delivered again, and at the
 * end every handoff is consumed exactly once (one consumed file per body), none lost, none torn.
 */
export async function crashConsumers({ kills, handoffs }) {
  return withDir(async (root) => {
    const dir = join(root, 'h');
    const store = new HandoffStore({ dir, durable: false });
    let survived = 0;
    let lost = 0;
    let partial = 0;
    let written = 0;
    let killedHolders = 0;
    let held = 0;
    for (let kill = 0; kill < kills; kill++) {
      // Keep work pending for the consumer to be killed in the middle of.
      for (let index = 0; index < handoffs; index++, written++) await store.write({ slug: `c${index}`, body: `begin-c${written}\nend-c${written}\n` });
      const pid = await startAndKill(handoffWorker, ['consume-forever', dir, '0'], 0, 30);
      const names = await readdir(dir);
      const holding = names.filter((name) => claimHolder(name) === String(pid)).length;
      if (holding > 0) killedHolders++;
      held += holding;
      const seen = await inspect(dir);
      partial += seen.partial;
      // Every handoff is one file at every moment: pending, claimed or consumed.
      const missing = written - seen.inodes;
      lost = Math.max(lost, missing);
      if (seen.partial === 0 && missing === 0) survived++;
    }
    // The killed holders' claims go to the next claim, which sees their pids are gone.
    const heldAtEnd = (await readdir(dir)).filter((name) => claimHolder(name)).length;
    const rest = await new HandoffStore({ dir, durable: false }).consume();
    const redelivered = rest.handoffs.filter((handoff) => handoff.redelivered).length;
    const left = (await readdir(dir)).filter((name) => parseHandoffName(name)?.done === false || claimHolder(name));
    const bodies = [];
    for (const name of await readdir(dir)) {
      if (parseHandoffName(name)?.done) bodies.push(bodyOf(await readFile(join(dir, name), 'utf8')));
    }
    const distinct = new Set(bodies).size;
    return row('consumer killed (SIGKILL)', {
      processes: kills,
      written,
      consumed: bodies.length,
      lost: Math.max(lost, written - distinct, left.length),
      duplicated: bodies.length - distinct,
      partial,
      kills,
      killsSurvived: survived,
      killedHolders,
      held,
      heldAtEnd,
      redelivered,
    });
  });
}

/** A MemoryIndex writer killed at random moments; the index must parse and later updates land. */
export async function crashUpserts({ kills }) {
  return withDir(async (root) => {
    let survived = 0;
    let partial = 0;
    for (let kill = 0; kill < kills; kill++) {
      await startAndKill(memoryWorker, ['churn', root], 5, 120);
      const text = await readFile(join(root, 'MEMORY.md'), 'utf8').catch(() => '');
      const files = parseIndex(text).entries.map((entry) => entry.file);
      const intact = new Set(files).size === files.length && text.split('\n').every((line) => line === '' || /^(## |- \[)/.test(line));
      const memory = await MemoryIndex.open({ dir: root, durable: false, lock: { timeoutMs: 15_000 } });
      await memory.upsert({ topic: `after-${kill}`, section: 'After', summary: 'written after a kill' });
      if (intact) survived++;
      else partial++;
    }
    const memory = await MemoryIndex.open({ dir: root });
    const after = memory.sections.find((section) => section.title === 'After')?.entries.length ?? 0;
    await memory.cleanup();
    return row('index writer killed (SIGKILL)', {
      processes: kills,
      written: kills,
      consumed: after,
      lost: kills - after,
      partial,
      kills,
      killsSurvived: survived,
    });
  });
}

/** Formats rows as a Markdown table. */
export function table(rows) {
  const columns = ['scenario', 'processes', 'written', 'consumed', 'lost', 'duplicated', 'overwritten', 'partial', 'kills', 'killsSurvived'];
  const header = ['scenario', 'processes', 'handoffs written', 'consumed', 'lost', 'duplicated', 'overwritten', 'partial reads', 'SIGKILLs', 'kills survived'];
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, index) => (index === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${columns.map((column) => r[column]).join(' | ')} |`),
  ].join('\n');
}
