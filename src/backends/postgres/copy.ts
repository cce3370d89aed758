import { mapLimit } from '../../concurrency.js';
import { DirectoryBackend } from '../directory/backend.js';
import { nodeFs } from '../../fs/node.js';
import { processRuntime } from '../../runtime.js';
import type { StoredHandoff } from '../types.js';
import { postgresStore, type PostgresStore } from './backend.js';

/** What {@link copyDirectoryToPostgres} takes. */
export interface CopyOptions {
  /** The handoffs directory to copy from (read only: nothing there changes). */
  readonly from: string;
  /** The PostgreSQL store to copy into: a URL, or a store object (left open). */
  readonly to: string | PostgresStore;
  /** Handoffs copied at once. Default 8. */
  readonly concurrency?: number;
}

/** What {@link copyDirectoryToPostgres} did, by name. */
export interface CopyResult {
  /** Copied now, pending. */
  readonly pending: string[];
  /** Copied now, consumed (with their consumption time). */
  readonly consumed: string[];
  /** Copied by an earlier run: left as they are, whatever happened to them since. */
  readonly present: string[];
  /** Claimed by a session right now: not copied (copying could deliver them twice). Run again later. */
  readonly claimed: string[];
  /** Names another handoff already has in the store: not copied. */
  readonly conflicts: string[];
}

/**
 * Copies every pending and consumed handoff of a directory store into a PostgreSQL store, keeping
 * names, instants and consumption times. Idempotent: each copy is keyed by its source name, so a
 * second run copies only handoffs new in the directory, never one copied before, even after the
 * store consumed it. Stop the directory's writers and consumers first: a handoff consumed in the
 * directory after it was copied pending stays pending in the store.
 */
export async function copyDirectoryToPostgres(options: CopyOptions): Promise<CopyResult> {
  const source = new DirectoryBackend({
    dir: options.from,
    fs: nodeFs(),
    runtime: processRuntime(),
    durable: false,
    staleTempMs: Number.POSITIVE_INFINITY,
    onWarning: () => {},
  });
  const target = typeof options.to === 'string' ? postgresStore({ url: options.to }) : options.to;
  const result: CopyResult = { pending: [], consumed: [], present: [], claimed: [], conflicts: [] };
  try {
    const handoffs = (await source.list({ consumed: true })).sort(byName);
    await mapLimit(handoffs, options.concurrency ?? 8, async (handoff: StoredHandoff) => {
      if (handoff.state === 'claimed') return void result.claimed.push(handoff.name);
      const outcome = await target.copyIn(handoff);
      if (outcome === 'copied') (handoff.state === 'consumed' ? result.consumed : result.pending).push(handoff.name);
      else if (outcome === 'present') result.present.push(handoff.name);
      else result.conflicts.push(handoff.name);
    });
  } finally {
    if (typeof options.to === 'string') await target.close();
  }
  for (const names of Object.values(result) as string[][]) names.sort();
  return result;
}

function byName(a: StoredHandoff, b: StoredHandoff): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
