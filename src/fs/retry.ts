import { errorCode } from '../errors.js';
import type { FileSystem } from './types.js';

/**
 * Errors that say "not now" rather than "no": too many open files, a busy or locked file. Windows
 * also reports a rename or unlink of a file another process holds open as EPERM.
 */
const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', ...(process.platform === 'win32' ? ['EPERM'] : [])]);

/** Attempts per operation, and the first delay; delays double up to about 100 ms in all. */
const ATTEMPTS = 6;
const FIRST_DELAY_MS = 2;

/**
 * Wraps an adapter so that each operation failing with a transient code is retried with
 * exponential backoff and jitter. No effect is ever doubled: an operation that failed transiently
 * did nothing (open, link, rename, unlink fail before their effect), except a `createFile` that
 * failed after creating its file, whose retry then fails with EEXIST and is reported.
 */
export function retrying(fs: FileSystem): FileSystem {
  const wrapped = {} as Record<keyof FileSystem, unknown>;
  for (const key of Object.keys(fs) as Array<keyof FileSystem>) {
    const operation = fs[key];
    if (typeof operation !== 'function') continue;
    wrapped[key] = async (...args: unknown[]) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await (operation as (...a: unknown[]) => Promise<unknown>).apply(fs, args);
        } catch (error) {
          if (attempt >= ATTEMPTS || !TRANSIENT.has(errorCode(error) ?? '')) throw error;
          const delay = FIRST_DELAY_MS * 2 ** (attempt - 1) * (0.5 + Math.random());
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    };
  }
  return { ...fs, ...wrapped } as FileSystem;
}
