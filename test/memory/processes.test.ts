import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryIndex, parseTopic } from '../../src/index.js';
import { processRuntime } from '../../src/runtime.js';
import { tempDir } from '../helpers.js';

const worker = join(import.meta.dirname, '..', 'workers', 'memory-worker.mjs');

describe('MemoryIndex across processes', () => {
  let sandbox: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    sandbox = await tempDir();
  });
  afterEach(() => sandbox.dispose());

  it('8 processes each upserting 25 topics at once lose no update', async () => {
    const startAt = Date.now() + 1000;
    await Promise.all(
      Array.from(
        { length: 8 },
        (_, writer) =>
          new Promise<void>((resolve, reject) => {
            execFile(process.execPath, [worker, 'upsert', sandbox.root, String(startAt), '25', `w${writer}`], (error) =>
              error ? reject(error) : resolve(),
            );
          }),
      ),
    );
    const memory = await MemoryIndex.open({ dir: sandbox.root });
    expect(memory.entries).toHaveLength(200);
    expect(new Set(memory.entries.map((entry) => entry.file)).size).toBe(200);
    expect(memory.sections.map((section) => section.title).sort()).toEqual(['Section 0', 'Section 1', 'Section 2', 'Section 3']);
    // Lint is clean apart from the budget: 200 entries plus headers exceed 200 lines.
    expect((await memory.lint()).map((problem) => problem.code)).toEqual(['OVER_BUDGET']);
    expect(parseTopic(await memory.read('w3-24'))).toMatchObject({
      frontMatter: { name: 'w3-24', description: 'topic 24 of w3', type: 'project' },
      body: '# w3 24\n\nbody of w3-24\n',
    });
  });

  it('a lock left by a process killed with SIGKILL does not block others', async () => {
    // A holder that died: its pid is gone, its lock file stays.
    const child = spawn(process.execPath, ['-e', '0']);
    await once(child, 'exit');
    const lock = join(sandbox.root, 'MEMORY.md.lock');
    await writeFile(lock, JSON.stringify({ pid: child.pid, host: processRuntime().host, token: 'dead' }));
    const memory = await MemoryIndex.open({ dir: sandbox.root, lock: { timeoutMs: 3000 } });
    await memory.upsert({ topic: 'after', section: 'S', summary: 'got the lock' });
    expect(memory.entries.map((entry) => entry.file)).toEqual(['after.md']);
  });

  it('an unknown holder blocks until its lock is stale, then is broken', async () => {
    await writeFile(join(sandbox.root, 'MEMORY.md.lock'), 'written by another host');
    const memory = await MemoryIndex.open({ dir: sandbox.root, lock: { staleMs: 300, timeoutMs: 5000 } });
    const started = Date.now();
    await memory.upsert({ topic: 'later', section: 'S', summary: 'x' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await expect(MemoryIndex.open({ dir: sandbox.root, lock: { timeoutMs: 200 } }).then((m) => m.upsert({ topic: 'x', section: 'S', summary: 'y' }))).resolves.toBeDefined();
  });

  it('times out with LOCK_TIMEOUT while a live holder keeps the lock', async () => {
    await writeFile(join(sandbox.root, 'MEMORY.md.lock'), JSON.stringify({ pid: process.pid, host: processRuntime().host, token: 'me' }));
    const memory = await MemoryIndex.open({ dir: sandbox.root, lock: { timeoutMs: 200 } });
    await expect(memory.upsert({ topic: 't', section: 'S', summary: 'x' })).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    expect(memory.entries).toEqual([]);
  });

  it('survives writers killed with SIGKILL at random moments: the index always parses and later updates land', async () => {
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, [worker, 'churn', sandbox.root], { stdio: ['ignore', 'pipe', 'inherit'] });
      await once(child.stdout, 'data');
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
      child.kill('SIGKILL');
      await once(child, 'exit');
      const memory = await MemoryIndex.open({ dir: sandbox.root, lock: { timeoutMs: 5000 } });
      await memory.upsert({ topic: `survivor-${round}`, section: 'Survivors', summary: `round ${round}` });
    }
    const index = await readFile(join(sandbox.root, 'MEMORY.md'), 'utf8');
    const memory = await MemoryIndex.open({ dir: sandbox.root });
    expect(memory.render()).toBe(index);
    expect(memory.sections.find((section) => section.title === 'Survivors')?.entries).toHaveLength(8);
  });
});
