import { mkdtemp, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryFs, nodeFs, type FileSystem } from '../src/index.js';

/** A fresh, empty root on one adapter, and how to throw it away. */
export interface Sandbox {
  fs: FileSystem;
  root: string;
  /** Removes an empty directory (not part of the adapter interface). */
  removeDir(path: string): Promise<void>;
  dispose(): Promise<void>;
}

/** Every built-in adapter; suites run `describe.each(adapters)` so both keep the same contract. */
export const adapters: Array<{ name: string; sandbox(): Promise<Sandbox> }> = [
  {
    name: 'nodeFs',
    async sandbox() {
      const root = await mkdtemp(join(tmpdir(), 'handoffs-test-'));
      return { fs: nodeFs(), root, removeDir: (path) => rmdir(path), dispose: () => rm(root, { recursive: true, force: true }) };
    },
  },
  {
    name: 'memoryFs',
    async sandbox() {
      const fs = memoryFs();
      await fs.mkdir('/sandbox', { recursive: true, mode: 0o755 });
      return { fs, root: '/sandbox', removeDir: (path) => (fs.volume as unknown as { promises: { rmdir(path: string): Promise<void> } }).promises.rmdir(path), dispose: async () => {} };
    },
  },
];

/** A temporary real directory for tests that need real processes. */
export async function tempDir(): Promise<{ root: string; dispose(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'handoffs-test-'));
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}

/** The Node error code a promise rejects with, or `'resolved'`. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
}

export const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
export const bytes = (value: string): Uint8Array => Buffer.from(value, 'utf8');
