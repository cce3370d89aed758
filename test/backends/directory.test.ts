import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectoryBackend } from '../../src/backends/directory/backend.js';
import { parseFrontMatter } from '../../src/handoff/front-matter.js';
import { HandoffStore } from '../../src/index.js';
import { processRuntime } from '../../src/runtime.js';
import { adapters } from '../helpers.js';
import { describeBackendContract } from '../backend-contract.js';

for (const adapter of adapters) {
  describeBackendContract(`directory on ${adapter.name}`, async () => {
    const box = await adapter.sandbox();
    const dir = join(box.root, 'handoffs');
    return { options: () => ({ dir, fs: box.fs }), dispose: () => box.dispose() };
  });
}

describe('directory backend: a claim holds each body once', () => {
  it('hands each claimed handoff over as text, its bytes dropped as it was read', async () => {
    const box = await adapters[0]!.sandbox();
    try {
      const dir = join(box.root, 'handoffs');
      const store = new HandoffStore({ dir, fs: box.fs, durable: false });
      const bodies = ['first ✓\n', 'second — with UTF-8 ü\n'];
      for (const [index, body] of bodies.entries()) await store.write({ slug: `s${index}`, body });
      const backend = new DirectoryBackend({ dir, fs: box.fs, runtime: processRuntime(), durable: false, staleTempMs: 0, onWarning: () => {} });
      const { claimed } = await backend.claim({ holder: { batch: 'b1', pid: process.pid, host: 'h1' }, leaseMs: 60_000, now: new Date(), project: undefined });
      expect(claimed.map((item) => item.data.byteLength)).toEqual([0, 0]);
      expect(claimed.map((item) => parseFrontMatter(item.text!).body).sort()).toEqual([...bodies].sort());
      await backend.acknowledge(claimed, new Date());
      expect((await store.list({ consumed: true })).map((ref) => ref.state)).toEqual(['consumed', 'consumed']);
    } finally {
      await box.dispose();
    }
  });
});
