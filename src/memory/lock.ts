import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { MemoryError, errorCode } from '../errors.js';
import { lstatIfExists } from '../fs/quiet.js';
import type { FileSystem } from '../fs/types.js';

/** Options of {@link withLock}. */
export interface LockOptions {
  /** A lock older than this is stale whoever holds it. Default 10 s (a holder needs milliseconds). */
  staleMs?: number;
  /** Give up with `LOCK_TIMEOUT` after this long. Default 30 s. */
  timeoutMs?: number;
}

interface Holder {
  pid: number;
  host: string;
  token: string;
}

const HOST = hostname();

/**
 * Runs `critical` while holding an exclusive lock file at `lockPath`, across processes.
 *
 * The lock is a file published by hard link, holding its owner's pid and host. It is stale when its
 * owner is a dead process on this host (a holder killed with SIGKILL never releases it) or when it
 * is older than `staleMs`. A stale lock is broken by renaming it aside and checking that the file
 * moved is the one judged stale; if another breaker had already replaced it with a live lock, that
 * lock is linked back. `critical` gets `stillHeld()` to check just before it publishes.
 */
export async function withLock<T>(
  fs: FileSystem,
  lockPath: string,
  options: LockOptions,
  critical: (stillHeld: () => Promise<boolean>) => Promise<T>,
): Promise<T> {
  const staleMs = options.staleMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const holder: Holder = { pid: process.pid, host: HOST, token: randomBytes(8).toString('hex') };
  const data = Buffer.from(JSON.stringify(holder));
  const deadline = Date.now() + timeoutMs;
  // The lock is published by link from a complete temporary file, so no one ever sees a lock
  // without its holder (a holder killed between create and write would block until staleMs).
  const temp = `${dirname(lockPath)}/.${basename(lockPath)}.${process.pid}-0-${holder.token.slice(0, 8)}.tmp`;
  await fs.createFile(temp, data, { mode: 0o600, sync: false });
  let delay = 2;
  try {
    for (;;) {
      try {
        await fs.link(temp, lockPath);
        break;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      if (await breakIfStale(fs, lockPath, staleMs)) continue;
      if (Date.now() >= deadline) {
        throw new MemoryError('LOCK_TIMEOUT', `could not lock ${lockPath} within ${timeoutMs} ms`, { path: lockPath });
      }
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 2, 50);
    }
  } finally {
    await fs.unlink(temp).catch(() => {});
  }

  const stillHeld = async (): Promise<boolean> => (await readHolder(fs, lockPath))?.token === holder.token;
  try {
    return await critical(stillHeld);
  } finally {
    // Release only our own lock: if it was broken as stale, the file there now is someone else's.
    if (await stillHeld().catch(() => false)) {
      await fs.unlink(lockPath).catch(() => {});
    }
  }
}

async function breakIfStale(fs: FileSystem, lockPath: string, staleMs: number): Promise<boolean> {
  const info = await lstatIfExists(fs, lockPath);
  if (info === undefined) return true;
  const holder = await readHolder(fs, lockPath);
  const old = Date.now() - info.mtimeMs > staleMs;
  const dead = holder !== undefined && holder.host === HOST && !processAlive(holder.pid);
  if (!old && !dead) {
    // A live holder, or a lock in a format we do not know: only age makes it stale.
    return false;
  }
  const aside = `${lockPath}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true;
    throw error;
  }
  const moved = await lstatIfExists(fs, aside);
  if (moved && (moved.ino !== info.ino || moved.dev !== info.dev)) {
    // Another breaker got there first and a live lock took its place: put that one back.
    await fs.link(aside, lockPath).catch(() => {});
  }
  await fs.unlink(aside).catch(() => {});
  return true;
}

async function readHolder(fs: FileSystem, lockPath: string): Promise<Holder | undefined> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(await fs.readFile(lockPath)).toString('utf8'));
    const candidate = parsed as Partial<Holder>;
    if (typeof candidate.pid === 'number' && typeof candidate.host === 'string' && typeof candidate.token === 'string') {
      return candidate as Holder;
    }
  } catch {
    // Missing, half-written or foreign: no holder we can name.
  }
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

