import { type FSWatcher, mkdirSync, readFileSync, readlinkSync, watch } from 'node:fs';

/**
 * Who held the claims a directory store saw: the store names a claimed handoff
 * `.claim_<batch>-<unique>_<expiry>_<pid>-<host>_…` (src/backends/directory/names.ts), so watching
 * the folder while a client runs and reading `/proc/<pid>/exe` of each new claim's pid at once says
 * which program claimed it. That is how a test tells a plugin running inside the client (the pid is
 * the client's own) from one that spawned the CLI (the pid is a `node` child). Linux only.
 */

/** One claim seen appearing. */
export interface SeenClaim {
  /** The claim file's name. */
  readonly name: string;
  /** The holder's pid, from the name. */
  readonly pid: number;
  /** The holder's executable (`/proc/<pid>/exe`), or `undefined` when it had exited already. */
  readonly exe: string | undefined;
  /** Its command line, arguments joined by spaces, when it could be read. */
  readonly commandLine: string | undefined;
  /** When it was seen, epoch ms. */
  readonly at: number;
}

/** A running watch. */
export interface ClaimHolders {
  /** Claims seen so far, in order, each name once. */
  readonly seen: readonly SeenClaim[];
  stop(): void;
}

const CLAIM = /^\.claim_[a-z0-9]+-[a-z0-9]+_[a-z0-9]+_(\d+)-[a-z0-9]+_/;

/** Watches `dir` (created if missing) for claim files until `stop`. */
export function watchClaimHolders(dir: string): ClaimHolders {
  mkdirSync(dir, { recursive: true });
  const seen: SeenClaim[] = [];
  const names = new Set<string>();
  const watcher: FSWatcher = watch(dir, (_event, filename) => {
    const name = filename?.toString();
    if (name === undefined || names.has(name)) return;
    const match = CLAIM.exec(name);
    if (match === null) return;
    names.add(name);
    const pid = Number(match[1]);
    // Read at once, synchronously: the holder is alive while it holds the claim.
    seen.push({ name, pid, at: Date.now(), exe: read(() => readlinkSync(`/proc/${pid}/exe`)), commandLine: read(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')) });
  });
  return { seen, stop: () => watcher.close() };
}

function read(get: () => string): string | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}
