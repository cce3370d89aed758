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
  /**
   * A fresh tag of `[a-z0-9]`, unique for all practical purposes (48 random bits). Tags make names
   * unique, not secret: anyone who can write the directory can do worse than guess one.
   */
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
    // Math.random, seeded per process by V8 from the OS: loading node:crypto would cost every
    // session hook about 5 ms.
    uniqueTag: () => (Math.floor(Math.random() * 2 ** 24) * 2 ** 24 + Math.floor(Math.random() * 2 ** 24)).toString(36).padStart(10, '0'),
    random: Math.random,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/**
 * A short, stable tag of a text (`[a-z0-9]`, `length` ≤ 10 characters), for names built from ids:
 * a 53-bit string hash (cyrb53), well mixed, not cryptographic.
 */
export function shortTag(text: string, length = 8): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36).padStart(11, '0').slice(-length);
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
