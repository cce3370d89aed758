import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { errorCode } from './errors.js';

/**
 * What the stores ask of the process they run in: a clock, an identity, a liveness test for other
 * processes on this host, unpredictable tags, and a way to wait. The real process provides all of
 * it by default; the deterministic simulation provides its own, so that one seed replays one
 * schedule exactly.
 */
export interface Runtime {
  /** The current instant. */
  now(): Date;
  /** This process's id, recorded in claims and locks so others can tell when it has died. */
  readonly pid: number;
  /** A short tag of this host (`[a-z0-9]`): a pid means something only on its own host. */
  readonly host: string;
  /** Whether process `pid` on this host is alive. */
  isAlive(pid: number): boolean;
  /** A fresh tag of `[a-z0-9]`, unique for all practical purposes (48 random bits). */
  uniqueTag(): string;
  /** A number in [0, 1), for jitter. */
  random(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The real process: wall clock (or `now`), `process.pid`, `kill(pid, 0)`, crypto randomness, timers. */
export function processRuntime(now: () => Date = () => new Date()): Runtime {
  return {
    now,
    pid: process.pid,
    host: HOST_TAG,
    isAlive: processAlive,
    uniqueTag: () => randomBytes(6).readUIntBE(0, 6).toString(36).padStart(10, '0'),
    random: Math.random,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** A short, stable tag of a text (`[a-z0-9]`, `length` characters), for names built from ids. */
export function shortTag(text: string, length = 8): string {
  const digest = createHash('sha256').update(text).digest();
  return digest.readUIntBE(0, 6).toString(36).padStart(10, '0').slice(0, length);
}

/**
 * Where a pid means one process: the host name, and on Linux the boot (a pid is reused after a
 * reboot) and the pid namespace (containers sharing a host name do not share pids). Two processes
 * with the same tag can test each other's liveness with `kill(pid, 0)`.
 */
const HOST_TAG = shortTag([hostname(), quietly(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()), quietly(() => readlinkSync('/proc/self/ns/pid'))].join('|'), 6);

function quietly(read: () => string): string {
  try {
    return read();
  } catch {
    return '';
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return errorCode(error) === 'EPERM';
  }
}
