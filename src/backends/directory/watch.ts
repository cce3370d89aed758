import type { FileSystem } from '../../fs/types.js';

/** How often a watcher lists the directory when the adapter gives no events (or as a safety net when it does). */
const POLL_MS = 250;
const SAFETY_NET_MS = 5_000;

/**
 * Yields the names `pending()` lists, each the first time it is seen, until `signal` aborts: at
 * once for what is pending now, then whenever the directory changes. Events (the adapter's
 * `watchDir`) only say "look again"; what is new is decided by listing, so a coalesced or lost
 * event costs at most the safety-net interval, and a watcher without events polls.
 */
export async function* watchPending(
  fs: FileSystem,
  dir: string,
  pending: () => Promise<string[]>,
  signal: AbortSignal | undefined,
): AsyncGenerator<string> {
  const seen = new Set<string>();
  let wake: (() => void) | undefined;
  let changed = true;
  const poke = () => {
    changed = true;
    wake?.();
  };
  const stop = new AbortController();
  const onAbort = () => {
    stop.abort();
    wake?.();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let watching = false;
  try {
    while (!signal?.aborted) {
      if (!watching && fs.watchDir) watching = await fs.watchDir(dir, poke, stop.signal).then(() => true, () => false);
      if (changed) {
        changed = false;
        for (const name of await pending()) {
          if (seen.has(name)) continue;
          seen.add(name);
          yield name;
          if (signal?.aborted) return;
        }
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        // Not unref'd: while someone awaits the next handoff, the process stays up for it.
        timer = setTimeout(() => {
          changed = true;
          resolve();
        }, watching ? SAFETY_NET_MS : POLL_MS);
        if (changed || signal?.aborted) resolve();
      });
      clearTimeout(timer);
      wake = undefined;
    }
  } finally {
    stop.abort();
    signal?.removeEventListener('abort', onAbort);
  }
}
