import { execFile } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryIndex } from '../../src/index.js';
import { tempDir } from '../helpers.js';

const worker = join(import.meta.dirname, 'workers', 'race-worker.mjs');

function runWorker<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [worker, ...args], (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as T)));
  });
}

/** Topic files in the folder, and how many index lines link each. */
async function linkCounts(dir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const name of await readdir(dir)) if (name.endsWith('.md') && name !== 'MEMORY.md') counts.set(name, 0);
  const memory = await MemoryIndex.open({ dir });
  for (const entry of memory.entries) counts.set(entry.file, (counts.get(entry.file) ?? 0) + 1);
  return counts;
}

describe('repair across real processes', () => {
  let sandbox: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    sandbox = await tempDir();
  });
  afterEach(() => sandbox.dispose());

  it('4 processes adding while 2 repair in a loop: every topic ends with exactly one line, nothing lost', async () => {
    const dir = sandbox.root;
    const stop = join(dir, '.stop');
    const startAt = String(Date.now() + 800);
    type Repairs = { runs: number; restored: number; removed: number };
    const repairers = [runWorker<Repairs>(['repair', dir, stop]), runWorker<Repairs>(['repair', dir, stop])];
    await Promise.all(Array.from({ length: 4 }, (_, writer) => runWorker(['add', dir, startAt, '15', `w${writer}`])));
    await writeFile(stop, '');
    const repairs = await Promise.all(repairers);
    expect(repairs.every((result) => result.runs > 0)).toBe(true);

    const counts = await linkCounts(dir);
    expect(counts.size).toBe(60);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(await (await MemoryIndex.open({ dir })).lint()).toEqual([]);
  });

  it('sessions that rewrite MEMORY.md from stale reads lose lines; one repair afterwards restores every one', async () => {
    const dir = sandbox.root;
    const startAt = String(Date.now() + 800);
    await Promise.all([
      ...Array.from({ length: 4 }, (_, session) => runWorker(['clobber', dir, startAt, '8', `s${session}`])),
      ...Array.from({ length: 2 }, (_, writer) => runWorker(['add', dir, startAt, '8', `w${writer}`])),
    ]);
    const clobbered = await linkCounts(dir);
    expect(clobbered.size).toBe(48);
    // The simulation is only worth something if the race really dropped lines.
    const lost = [...clobbered.values()].filter((count) => count === 0).length;
    expect(lost).toBeGreaterThan(0);

    const result = await (await MemoryIndex.open({ dir })).repair();
    expect(result.restored).toHaveLength(lost);
    const repaired = await linkCounts(dir);
    expect([...repaired.values()].every((count) => count === 1)).toBe(true);
    expect((await (await MemoryIndex.open({ dir })).repair()).written).toBe(false);
  });
});
