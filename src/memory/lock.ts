import { basename, dirname, join } from 'node:path';
import { MemoryError, errorCode } from '../errors.js';
import { lstatIfExists, unlinkIfExists } from '../fs/quiet.js';
import type { FileSystem } from '../fs/types.js';
import type { Runtime } from '../runtime.js';

/** Options of {@link withLock}. */
export interface LockOptions {
  /**
   * A lock its holder has not refreshed for this long is stale whoever holds it. A live holder
   * refreshes it every `staleMs / 3`; a holder that died on this host is stale at once. Default 10 s.
   */
  staleMs?: number;
  /** Give up with `LOCK_TIMEOUT` after this long. Default 30 s. */
  timeoutMs?: number;
  /** Refresh the lock while holding it (a timer). Default `true`; the simulation turns it off. */
  heartbeat?: boolean;
}

/** What the critical section of {@link withLock} gets. */
export interface HeldLock {
  /**
   * Replaces the locked file with `data` atomically, if and only if this lock is still held when
   * the replacement happens: otherwise it throws {@link LockLost} and changes nothing. Once per holding.
   */
  publish(data: Uint8Array, options: { mode: number; durable: boolean }): Promise<void>;
}

/** Thrown by {@link HeldLock.publish} when the lock was broken: the caller re-reads and tries again. */
export class LockLost extends Error {
  override readonly name = 'LockLost';
}

interface Holder {
  pid: number;
  host: string;
  token: string;
}

/** Holdings in progress in this process (`<pid>:<token>`): a fence of any other of ours is spent. */
const active = new Set<string>();

/**
 * Whether a fence of holder `pid`/`token` on this host may still be needed: its holder could still
 * try to publish. A holding of this very process that has ended will never publish again.
 */
export function fenceNeeded(pid: number, token: string, runtime: Runtime): boolean {
  if (pid === runtime.pid) return active.has(`${pid}:${token}`);
  return runtime.isAlive(pid);
}

/**
 * Runs `critical` holding an exclusive lock on `target` (the lock file is `<target>.lock`), across
 * processes, and lets it replace `target` only while the lock is still its own: a fenced lock.
 *
 * The lock is a file published by hard link from a complete temporary file, holding its owner's
 * pid, host and a fresh token. It is stale when its owner is a dead process on this host, or when it
 * has not been refreshed for `staleMs`. A stale lock is broken by renaming it aside (one breaker
 * wins) and fencing the holder named in the file moved.
 *
 * The fence: a holder publishes only through a file named after its token, created exclusively
 * and renamed into place. Whoever takes a lock away creates that very name first (a tombstone), or,
 * finding it created, removes it. A holder that was judged stale while still running therefore
 * fails to create it or fails to rename it, and publishes nothing; a holder whose rename won is one
 * whose update was in place before anyone else could take the lock and read the file. So two
 * holders never both publish, however long one of them was paused.
 */
export async function withLock<T>(
  fs: FileSystem,
  target: string,
  options: LockOptions,
  runtime: Runtime,
  critical: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const lockPath = `${target}.lock`;
  const staleMs = options.staleMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const holder: Holder = { pid: runtime.pid, host: runtime.host, token: runtime.uniqueTag() };
  const holding = `${holder.pid}:${holder.token}`;
  const deadline = runtime.now().getTime() + timeoutMs;
  const temp = join(dirname(lockPath), `.${basename(lockPath)}.${holder.pid}-0-${holder.token}.tmp`);
  await fs.createFile(temp, Buffer.from(JSON.stringify(holder)), { mode: 0o600, sync: false });
  let delay = 2;
  try {
    for (;;) {
      // The lock's age counts from when it is taken, not from when this waiter started waiting.
      const now = runtime.now();
      await fs.utimes(temp, now, now);
      try {
        await fs.link(temp, lockPath);
        break;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      if (await breakIfStale(fs, lockPath, staleMs, runtime)) continue;
      if (runtime.now().getTime() >= deadline) {
        throw new MemoryError('LOCK_TIMEOUT', `could not lock ${lockPath} within ${timeoutMs} ms`, { path: lockPath });
      }
      await runtime.sleep(delay * (0.5 + runtime.random()));
      delay = Math.min(delay * 2, 50);
    }
  } finally {
    await fs.unlink(temp).catch(() => {});
  }

  active.add(holding);
  const heartbeat =
    options.heartbeat === false
      ? undefined
      : setInterval(() => {
          const now = runtime.now();
          // Refreshing a lock that is no longer ours only delays its breaking: harmless.
          void fs.utimes(lockPath, now, now).catch(() => {});
        }, Math.max(1, staleMs / 3));
  heartbeat?.unref?.();
  let published = false;
  const lock: HeldLock = {
    async publish(data, { mode, durable }) {
      if (published) throw new Error('HeldLock.publish: one publish per holding');
      published = true;
      const fence = fenceName(target, holder);
      try {
        await fs.createFile(fence, data, { mode, sync: durable });
      } catch (error) {
        if (errorCode(error) === 'EEXIST') throw new LockLost(`lost the lock on ${lockPath} before publishing`);
        throw error;
      }
      try {
        await fs.rename(fence, target);
      } catch (error) {
        await unlinkIfExists(fs, fence).catch(() => {});
        if (errorCode(error) === 'ENOENT') throw new LockLost(`lost the lock on ${lockPath} while publishing`);
        throw error;
      }
      if (durable) await fs.syncDir(dirname(target));
    },
  };
  try {
    return await critical(lock);
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    await release(fs, target, holder, runtime).catch(() => {});
    active.delete(holding);
  }
}

/**
 * The name through which `holder` publishes `path`: `.<file>.fence-<pid>-<host>-<token>`. Hidden,
 * never a topic file, and unique to one holding of the lock.
 */
export function fenceName(path: string, holder: Holder): string {
  return join(dirname(path), `.${basename(path)}.fence-${holder.pid}-${holder.host}-${holder.token}`);
}

/** Fence files, to be swept by cleanup once their holder is surely done: pid, host and token. */
export const FENCE_PATTERN = /\.fence-(\d+)-([a-z0-9]+)-([a-z0-9]+)$/;

/** Takes the lock on `target` away from whoever holds it (one taker wins) and fences that holder, unless it is `self`. */
async function takeAway(fs: FileSystem, target: string, runtime: Runtime, self?: string): Promise<void> {
  const lockPath = `${target}.lock`;
  const aside = `${lockPath}.stale-${runtime.uniqueTag()}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  // Judge the file actually moved, not the one looked at before: it may be another's by now.
  const moved = await readHolder(fs, aside).catch(() => undefined);
  // A holder that is gone, or a holding of this process that has ended, will never publish: no fence.
  const mayPublish = moved !== undefined && moved.token !== self && (moved.host !== runtime.host || fenceNeeded(moved.pid, moved.token, runtime));
  if (mayPublish) await fence(fs, target, moved);
  await fs.unlink(aside).catch(() => {});
}

/** Makes `holder` unable to publish `target`: create its fence name first, or remove the one it created. */
async function fence(fs: FileSystem, target: string, holder: Holder): Promise<void> {
  const name = fenceName(target, holder);
  try {
    await fs.createFile(name, new Uint8Array(), { mode: 0o600, sync: false });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    // The holder is publishing: its rename now fails, or it already won, before we took the lock.
    await unlinkIfExists(fs, name);
  }
}

async function breakIfStale(fs: FileSystem, lockPath: string, staleMs: number, runtime: Runtime): Promise<boolean> {
  const info = await lstatIfExists(fs, lockPath);
  if (info === undefined) return true;
  const holder = await readHolder(fs, lockPath).catch(() => undefined);
  const old = runtime.now().getTime() - info.mtimeMs > staleMs;
  const dead = holder !== undefined && holder.host === runtime.host && holder.pid !== runtime.pid && !runtime.isAlive(holder.pid);
  // A live holder, or a lock in a format we do not know: only age makes it stale.
  if (!old && !dead) return false;
  await takeAway(fs, lockPath.replace(/\.lock$/, ''), runtime);
  return true;
}

/**
 * Lets go of the lock: takes it away (a rename, so never another holder's by mistake; if the file
 * moved was another's after all, that holder is fenced and will retry).
 */
async function release(fs: FileSystem, target: string, holder: Holder, runtime: Runtime): Promise<void> {
  // Known to be another's (ours was broken as stale): leave the new holder be. Unreadable: take it
  // anyway; the rename tells whose it was.
  const current = await readHolder(fs, `${target}.lock`).catch(() => 'unreadable' as const);
  if (current !== 'unreadable' && current?.token !== holder.token) return;
  await takeAway(fs, target, runtime, holder.token);
}

/** The holder a lock file names; `undefined` when missing or not a lock of ours. Rejects when it cannot be read. */
async function readHolder(fs: FileSystem, lockPath: string): Promise<Holder | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(lockPath);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    const candidate = parsed as Partial<Holder>;
    if (typeof candidate.pid === 'number' && typeof candidate.host === 'string' && typeof candidate.token === 'string') {
      return candidate as Holder;
    }
  } catch {
    // Half-written or foreign: no holder we can name.
  }
  return undefined;
}
