import type { Client } from 'pg';
import type { PostgresDriver } from './driver.js';
import { channelOf } from './schema.js';

/** What {@link watchPending} needs from its store. */
export interface WatchSource {
  readonly driver: PostgresDriver;
  readonly schema: string;
  /** Resolves once the schema exists. */
  ready(): Promise<void>;
  /** The names pending now, oldest first. */
  pendingNames(): Promise<string[]>;
  readonly signal: AbortSignal | undefined;
}

/**
 * The names of handoffs as they become pending (published, released, restored), from LISTEN on
 * the store's channel: one dedicated connection per watcher, outside the pool. A notification sent
 * while the connection was down is lost, so every (re)connection also yields the names pending
 * then: a watcher may see a name twice, and misses none.
 */
export function watchPending(source: WatchSource): AsyncIterable<string> {
  return {
    [Symbol.asyncIterator]: () => iterate(source),
  };
}

async function* iterate(source: WatchSource): AsyncGenerator<string> {
  const { driver, signal } = source;
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let client: Client | undefined;
  let broken = true;
  let connectedOnce = false;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const push = (name: string) => {
    queue.push(name);
    notify();
  };
  signal?.addEventListener('abort', notify, { once: true });

  const connect = async (): Promise<void> => {
    const { Client } = await driver.pg();
    await source.ready();
    const next = new Client(driver.clientConfig());
    next.on('notification', (message) => {
      if (message.payload) push(message.payload);
    });
    // A lost connection is noticed here and replaced on the next turn of the loop below.
    const lose = () => {
      if (client === next) broken = true;
      notify();
    };
    next.on('error', lose);
    next.on('end', lose);
    try {
      await next.connect();
      await next.query(`LISTEN "${channelOf(source.schema)}"`);
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    client = next;
    broken = false;
    connectedOnce = true;
    // Listening from here on; what became pending before is listed once (less what was announced
    // meanwhile and not yet taken from the queue).
    const queued = new Set(queue);
    for (const name of await source.pendingNames()) if (!queued.has(name)) push(name);
  };

  try {
    for (let attempt = 0; !signal?.aborted; ) {
      if (broken) {
        const old = client;
        client = undefined;
        await old?.end().catch(() => {});
        try {
          await connect();
          attempt = 0;
        } catch (error) {
          // The first connection's failure is the caller's to see; later ones are waited out.
          if (!connectedOnce) throw driver.failure('watch', error);
          await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt++)));
          continue;
        }
      }
      if (queue.length > 0) {
        yield queue.shift()!;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal?.removeEventListener('abort', notify);
    await client?.end().catch(() => {});
  }
}
