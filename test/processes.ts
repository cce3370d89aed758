import { execFile } from 'node:child_process';
import { join } from 'node:path';

const worker = join(import.meta.dirname, 'workers', 'handoff-worker.mjs');

/** Runs `count` worker processes at once, all starting at the same instant, and parses their output. */
export async function runWorkers<T>(count: number, args: (index: number, startAt: number) => string[]): Promise<T[]> {
  const startAt = Date.now() + 1000;
  return Promise.all(
    Array.from(
      { length: count },
      (_, index) =>
        new Promise<T>((resolve, reject) => {
          execFile(process.execPath, [worker, ...args(index, startAt)], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) =>
            error ? reject(error) : resolve(JSON.parse(stdout) as T),
          );
        }),
    ),
  );
}
