import { describe, expect, it } from 'vitest';
import { MemoryIndex, memoryFs, type FileSystem } from '../../src/index.js';

/** An adapter that holds every rename onto `target` until `open()` is called: a frozen process. */
function freezing(inner: FileSystem, target: string): { fs: FileSystem; reached: Promise<void>; open(): void } {
  let open!: () => void;
  let reached!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  let frozen = false;
  return {
    fs: {
      ...inner,
      rename: async (from, to) => {
        if (to === target && !frozen) {
          frozen = true;
          reached();
          await gate;
        }
        return inner.rename(from, to);
      },
    },
    reached: arrived,
    open,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('MemoryIndex lock: a holder frozen past staleMs publishes nothing over the next holder', () => {
  it('keeps both updates when the first holder freezes just before its rename and the lock is broken', async () => {
    const fs = memoryFs();
    await fs.mkdir('/m', { recursive: true, mode: 0o700 });
    const frozen = freezing(fs, '/m/MEMORY.md');
    const a = await MemoryIndex.open({ dir: '/m', fs: frozen.fs, durable: false, lock: { staleMs: 100, heartbeat: false } });
    const b = await MemoryIndex.open({ dir: '/m', fs, durable: false, lock: { staleMs: 100, timeoutMs: 5000 } });

    const first = a.upsert({ topic: 'from-a', section: 'S', summary: 'written by the frozen holder' });
    await frozen.reached;
    await sleep(250);
    // A's lock is past staleMs: B breaks it and publishes its own update.
    await b.upsert({ topic: 'from-b', section: 'S', summary: 'written while A was frozen' });
    frozen.open();
    await first;

    await b.reload();
    expect(b.entries.map((entry) => entry.file).sort()).toEqual(['from-a.md', 'from-b.md']);
  });

  it('counts a lock\u2019s age from when it was taken, not from when its holder began to wait', async () => {
    const fs = memoryFs();
    await fs.mkdir('/m', { recursive: true, mode: 0o700 });
    const holding = freezing(fs, '/m/MEMORY.md');
    const waiting = freezing(fs, '/m/MEMORY.md');
    const holder = await MemoryIndex.open({ dir: '/m', fs: holding.fs, durable: false, lock: { staleMs: 5000 } });
    const waiter = await MemoryIndex.open({ dir: '/m', fs: waiting.fs, durable: false, lock: { staleMs: 5000, heartbeat: false } });

    const held = holder.upsert({ topic: 'first', section: 'S', summary: 'holds the lock a while' });
    await holding.reached;
    const waitBegan = Date.now();
    const waited = waiter.upsert({ topic: 'second', section: 'S', summary: 'waited for it' });
    await sleep(300);
    holding.open();
    await held;
    // The waiter now holds the lock, frozen before its own rename: its lock file's age starts now.
    await waiting.reached;
    const info = await fs.lstat('/m/MEMORY.md.lock');
    expect(info.mtimeMs).toBeGreaterThanOrEqual(waitBegan + 250);
    waiting.open();
    await waited;
    await waiter.reload();
    expect(waiter.entries.map((entry) => entry.file).sort()).toEqual(['first.md', 'second.md']);
  });
});
