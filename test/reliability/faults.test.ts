import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeHandoff,
  HandoffError,
  HandoffStore,
  MemoryError,
  MemoryIndex,
  memoryFs,
  parseHandoffName,
  parseIndex,
  parseTopic,
  type FileSystem,
  type MemoryFileSystem,
} from '../../src/index.js';
import { FAULTS, TRANSIENT, faultyFs, type Fault, type FaultPlan, type Operation } from './faulty-fs.js';

// Fault injection through the adapter: for each store operation, every call of every filesystem
// operation it makes is failed once with every fault, and the invariants are checked after each.

const DIR = '/h';
const MEMORY = '/m';
const NOW = Date.UTC(2026, 1, 27, 14, 30, 22);
const DAY = 86_400_000;

/** A body that proves it is whole: it starts and ends with its id. */
const body = (id: string, size = 4096) => `begin-${id}\n${'x'.repeat(size)}\nend-${id}\n`;
const whole = (text: string) => /^begin-([\w-]+)\n x*\nend-\1\n$/.test(text.replace(/\n(x*)\n/, '\n $1\n'));
/** A handoff file's body, front matter removed. */
const bodyOf = (text: string) => decodeHandoff(Buffer.from(text)).body;

const store = (fs: FileSystem, extra: Record<string, unknown> = {}) =>
  new HandoffStore({ dir: DIR, fs, now: () => new Date(NOW), timeZone: 'utc', onWarning: () => {}, ...extra });

function files(fs: MemoryFileSystem, dir: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const [path, content] of Object.entries(fs.volume.toJSON(dir))) {
    if (content !== null) result.set(path.slice(dir.length + 1), content);
  }
  return result;
}

async function put(fs: MemoryFileSystem, path: string, text: string, ageDays = 0): Promise<void> {
  await fs.mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  await fs.createFile(path, Buffer.from(text), { mode: 0o600, sync: false });
  const when = new Date(NOW - ageDays * DAY);
  await fs.utimes(path, when, when);
}

interface Scenario {
  seed(fs: MemoryFileSystem): Promise<void>;
  run(fs: FileSystem): Promise<unknown>;
  /** Checks invariants after the faulty run; returns problems (empty when all hold). */
  check(fs: MemoryFileSystem, outcome: Outcome, fault: Fault): Promise<string[]>;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const PENDING = ['2026-02-27_100000_a.md', '2026-02-27_100100_b.md', '2026-02-27_100200_c.md', '2026-02-27_100300_d.md'];

const scenarios: Record<string, Scenario> = {
  write: {
    async seed(fs) {
      await put(fs, `${DIR}/${PENDING[0]}`, body('a'));
      await put(fs, `${DIR}/2026-02-27_090000_old_done.md`, body('old'));
    },
    run: (fs) => store(fs).write({ slug: 'new', body: body('new', 50_000) }),
    async check(fs, outcome) {
      const problems: string[] = [];
      const found = files(fs, DIR);
      for (const [name, text] of found) if (parseHandoffName(name) && !whole(bodyOf(text))) problems.push(`partial ${name}`);
      if (found.get(PENDING[0]!) !== body('a')) problems.push('seeded pending handoff changed');
      if (found.get('2026-02-27_090000_old_done.md') !== body('old')) problems.push('consumed handoff changed');
      const copies = [...found].filter(([name, text]) => parseHandoffName(name) && bodyOf(text) === body('new', 50_000));
      if (copies.length > 1) problems.push('new handoff published twice');
      if (outcome.ok && copies.length !== 1) problems.push('write resolved but nothing was published');
      return problems;
    },
  },
  consume: {
    async seed(fs) {
      for (const [index, name] of PENDING.entries()) await put(fs, `${DIR}/${name}`, body(`p${index}`));
      await put(fs, `${DIR}/2026-02-27_090000_old_done.md`, body('old'));
    },
    run: (fs) => store(fs).consume(),
    async check(fs, outcome) {
      const problems: string[] = [];
      const first = outcome.ok ? (outcome.value as { handoffs: Array<{ body: string }> }).handoffs.map((h) => h.body) : [];
      // A later, healthy consume, once any lease has ended, gets the rest: together each handoff is
      // delivered exactly once.
      const second = (await store(fs, { now: () => new Date(NOW + 61_000) }).consume()).handoffs.map((h) => h.body);
      const delivered = [...first, ...second].sort();
      const expected = PENDING.map((_, index) => body(`p${index}`)).sort();
      if (JSON.stringify(delivered) !== JSON.stringify(expected)) {
        problems.push(`delivered ${delivered.map((text) => text.slice(6, 8)).join(',')} instead of each once`);
      }
      const found = files(fs, DIR);
      for (const [name, text] of found) if (parseHandoffName(name) && !whole(text)) problems.push(`partial ${name}`);
      if (found.get('2026-02-27_090000_old_done.md') !== body('old')) problems.push('consumed handoff changed');
      if ([...found.keys()].some((name) => parseHandoffName(name)?.done === false)) problems.push('a handoff is still pending');
      if ([...found.keys()].some((name) => name.startsWith('.claim_'))) problems.push('a handoff is still claimed');
      return problems;
    },
  },
  cleanup: {
    async seed(fs) {
      await put(fs, `${DIR}/${PENDING[0]}`, body('p0'), 30);
      await put(fs, `${DIR}/${PENDING[1]}`, body('p1'), 30);
      for (const id of ['x', 'y', 'z']) await put(fs, `${DIR}/2026-01-01_000000_${id}_done.md`, body(id), 30);
      await put(fs, `${DIR}/2026-02-27_000000_fresh_done.md`, body('fresh'), 1);
      await put(fs, `${DIR}/.handoff-1-0-deadbeef.tmp`, 'half', 1);
    },
    run: (fs) => store(fs, { staleTempMs: 3_600_000 }).cleanup(),
    async check(fs, outcome) {
      const problems: string[] = [];
      const found = files(fs, DIR);
      if (!found.has(PENDING[0]!) || !found.has(PENDING[1]!)) problems.push('a pending handoff was deleted');
      if (!found.has('2026-02-27_000000_fresh_done.md')) problems.push('a fresh consumed handoff was deleted');
      if (outcome.ok) {
        const { removed } = outcome.value as { removed: string[] };
        for (const name of removed) if (found.has(name)) problems.push(`reported ${name} removed, but it is there`);
      }
      await store(fs).cleanup();
      if ([...files(fs, DIR).keys()].some((name) => name.endsWith('_done.md') && !name.includes('fresh'))) {
        problems.push('a later cleanup did not finish the job');
      }
      return problems;
    },
  },
  upsert: {
    async seed(fs) {
      await put(fs, `${MEMORY}/MEMORY.md`, '# Memory\n\n## S\n\n- [One](one.md) — first\n- [Two](two.md) — second\n');
      await put(fs, `${MEMORY}/one.md`, body('one'));
      await put(fs, `${MEMORY}/two.md`, body('two'));
    },
    async run(fs) {
      const memory = await MemoryIndex.open({ dir: MEMORY, fs, lock: { staleMs: 50, timeoutMs: 2000 } });
      return memory.upsert({ topic: 'three', section: 'S', summary: 'third', body: body('three', 50_000) });
    },
    async check(fs, outcome) {
      const problems: string[] = [];
      const found = files(fs, MEMORY);
      const index = found.get('MEMORY.md') ?? '';
      const entries = parseIndex(index).entries.map((entry) => entry.file).join(',');
      if (entries !== 'one.md,two.md' && entries !== 'one.md,two.md,three.md') problems.push(`index entries ${entries}`);
      if (outcome.ok && entries !== 'one.md,two.md,three.md') problems.push('upsert resolved but the index lacks it');
      if (found.get('one.md') !== body('one') || found.get('two.md') !== body('two')) problems.push('another topic changed');
      const three = found.get('three.md');
      // upsert puts Claude Code's front matter above the body it was given.
      if (three !== undefined && parseTopic(three).body !== body('three', 50_000)) problems.push('partial topic file');
      // Recovery: what the failure left behind is swept, and the next update goes through.
      const memory = await MemoryIndex.open({ dir: MEMORY, fs, staleTempMs: 0, lock: { staleMs: 50, timeoutMs: 2000 } });
      await memory.cleanup();
      await memory.upsert({ topic: 'four', section: 'S', summary: 'fourth' });
      const left = [...files(fs, MEMORY).keys()].filter((name) => name.startsWith('.') || name.includes('.lock'));
      if (left.length > 0) problems.push(`left behind: ${left.join(', ')}`);
      return problems;
    },
  },
};

/** Runs the scenario with a fault plan on a freshly seeded volume; returns the problems. */
async function attempt(scenario: Scenario, plan: FaultPlan | undefined): Promise<{ problems: string[]; calls: Map<Operation, number> }> {
  const fs = memoryFs();
  await scenario.seed(fs);
  const faulty = faultyFs(fs, plan);
  let outcome: Outcome;
  try {
    outcome = { ok: true, value: await scenario.run(faulty) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const problems: string[] = [];
  if (!outcome.ok && !(outcome.error instanceof HandoffError || outcome.error instanceof MemoryError)) {
    problems.push(`untyped error: ${String(outcome.error)}`);
  }
  if (!outcome.ok && plan && TRANSIENT.includes(plan.fault)) problems.push(`not retried: ${String(outcome.error)}`);
  problems.push(...(await scenario.check(fs, outcome, plan?.fault ?? 'EIO')));
  return { problems, calls: faulty.calls };
}

describe.each(Object.entries(scenarios))('fault injection: %s', (_, scenario) => {
  it('holds every invariant without faults', async () => {
    expect((await attempt(scenario, undefined)).problems).toEqual([]);
  });

  it.for(FAULTS)('holds every invariant when any single call fails with %s', async (fault, context) => {
    const { calls } = await attempt(scenario, undefined);
    // A short write needs a write: scenarios that create no file have nothing to cut short.
    if (fault === 'SHORT_WRITE' && !calls.has('createFile')) context.skip();
    const failures: string[] = [];
    let runs = 0;
    for (const [operation, count] of calls) {
      for (let nth = 1; nth <= count; nth++) {
        if (fault === 'SHORT_WRITE' && operation !== 'createFile') continue;
        runs++;
        const { problems } = await attempt(scenario, { operation, nth, fault });
        for (const problem of problems) failures.push(`${operation}#${nth}: ${problem}`);
      }
    }
    expect(runs).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });
});
