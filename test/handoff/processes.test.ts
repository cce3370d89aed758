import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandoffStore } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { runWorkers } from '../processes.js';

// Real OS processes on real disk: the claims that matter are about processes, not promises.
describe('HandoffStore across processes', () => {
  let sandbox: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    sandbox = await tempDir();
  });
  afterEach(() => sandbox.dispose());

  it('8 writer processes, same slug, same second: nothing lost, nothing overwritten', async () => {
    const dir = join(sandbox.root, 'handoffs');
    const writers = 8;
    const perWriter = 5;
    const fixed = String(Date.UTC(2026, 1, 27, 14, 30, 22));
    const results = await runWorkers<{ names: string[] }>(writers, (_, startAt) => [
      'write', dir, String(startAt), String(perWriter), 'same-slug', fixed,
    ]);
    const written = results.flatMap((result) => result.names);
    expect(written).toHaveLength(writers * perWriter);
    expect(new Set(written).size).toBe(writers * perWriter);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual([...written].sort());
    // Every file holds exactly the body its writer wrote: no writer replaced another's file.
    const reader = new HandoffStore({ dir });
    const bodies = await Promise.all(files.map(async (file) => (await reader.read(file)).body));
    expect(new Set(bodies).size).toBe(writers * perWriter);
    expect(bodies.every((body) => /^writer \d+ handoff \d\n$/.test(body))).toBe(true);
  });

  it('4 consumer processes racing over 1000 pending handoffs claim each exactly once', async () => {
    const dir = join(sandbox.root, 'handoffs');
    const store = new HandoffStore({ dir, durable: false });
    const expected = new Set<string>();
    for (let index = 0; index < 1000; index++) {
      const body = `handoff ${index}`;
      await store.write({ slug: `task-${index % 37}`, body });
      expected.add(body);
    }
    const results = await runWorkers<{ claimed: Array<{ name: string; body: string }> }>(4, (_, startAt) => [
      'consume', dir, String(startAt), '3',
    ]);
    const claimed = results.flatMap((result) => result.claimed.map((handoff) => handoff.body));
    expect(claimed).toHaveLength(1000);
    expect(new Set(claimed)).toEqual(expected);
    // The race was real: more than one process won claims.
    expect(results.filter((result) => result.claimed.length > 0).length).toBeGreaterThan(1);
    const files = await readdir(dir);
    expect(files.filter((file) => file.endsWith('_done.md'))).toHaveLength(1000);
    expect(files).toHaveLength(1000);
  });

  it('a consumer killed after claiming, before acknowledging, loses nothing: the next claim gets it again', async () => {
    const dir = join(sandbox.root, 'handoffs');
    const store = new HandoffStore({ dir, durable: false });
    for (let index = 0; index < 10; index++) await store.write({ slug: `t${index}`, body: `handoff ${index}` });
    const worker = join(import.meta.dirname, '..', 'workers', 'handoff-worker.mjs');
    const holder = spawn(process.execPath, [worker, 'claim-and-hold', dir, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const claimed = await new Promise<number>((resolve) =>
      holder.stdout.on('data', (chunk: Buffer) => resolve(Number(/claimed (\d+)/.exec(String(chunk))?.[1]))),
    );
    expect(claimed).toBe(10);
    expect((await store.list()).map((ref) => ref.state)).toEqual(Array(10).fill('claimed'));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('exit', resolve));
    const next = await store.consume();
    expect(next.handoffs).toHaveLength(10);
    expect(new Set(next.handoffs.map((handoff) => handoff.body)).size).toBe(10);
    expect(await store.list()).toEqual([]);
  });
});
