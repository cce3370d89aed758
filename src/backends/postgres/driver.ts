import type { Client, ClientConfig, Pool, PoolClient, QueryResultRow } from 'pg';
import { HandoffError, errorCode, type HandoffErrorCode } from '../../errors.js';
import { scrub, type ResolvedPostgresOptions } from './options.js';
import type { Statement } from './statements.js';

/** The parts of the `pg` module this store uses. */
export interface PgModule {
  Pool: new (config: ClientConfig & { max?: number; idleTimeoutMillis?: number }) => Pool;
  Client: new (config: ClientConfig) => Client;
}

/** Proposed for `HandoffErrorCode`: an optional peer dependency is not installed. */
export const MISSING_DEPENDENCY: HandoffErrorCode = 'MISSING_DEPENDENCY';

/**
 * Loads `pg`, an optional peer dependency: only users of this store install it, and only they pay
 * for loading it.
 *
 * @throws HandoffError `MISSING_DEPENDENCY` when it is not installed.
 */
export async function loadPg(): Promise<PgModule> {
  try {
    const loaded = (await import('pg')) as unknown as { default?: PgModule } & PgModule;
    return loaded.default ?? loaded;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new HandoffError(MISSING_DEPENDENCY, "the PostgreSQL store needs the 'pg' package: npm install pg");
    }
    throw error;
  }
}

/** Whether a statement may be sent again after the connection failed while it ran. */
export type Replay = 'idempotent' | 'once';

/** SQLSTATE classes and codes after which a new connection may succeed. */
const TRANSIENT_STATES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01']);
const TRANSIENT_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Whether `error` says the connection or server went away (as opposed to a fault in the request). */
export function isTransient(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined) return TRANSIENT_STATES.has(code) || code.startsWith('08') || TRANSIENT_ERRNOS.has(code);
  // pg reports a connection that ended under a query without a code; its wording is all there is.
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection error|not queryable|Connection ended/i.test(message);
}

/**
 * A pool of connections to one database, opened on first use, with statements that survive a
 * restarting server: a connection that cannot be made is retried until `retryForMs`; a statement
 * whose connection fails under it is sent again only when it is idempotent (`Replay`), since it
 * may have committed before the failure.
 */
export class PostgresDriver {
  readonly #options: ResolvedPostgresOptions;
  #pool: Promise<Pool> | undefined;
  #pg: Promise<PgModule> | undefined;
  #closed = false;
  readonly #guarded = new WeakSet<PoolClient>();
  /**
   * The last connection used, kept out of the pool for the next statement: a store's statements
   * mostly come one at a time, and a trip through the pool cost a write some 5% of its time. It
   * goes back to the pool when another caller is waiting for a connection or when a statement on it
   * fails, and is closed when its connection drops or after {@link IDLE_MS} unused (as the pool
   * closes its idle ones: an idle process holds no connection).
   */
  #spare: PoolClient | undefined;
  #spareUsedAt = 0;
  #spareTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ResolvedPostgresOptions) {
    this.#options = options;
  }

  /** The `pg` module, loaded once. */
  pg(): Promise<PgModule> {
    return (this.#pg ??= loadPg());
  }

  /** Settings for a connection of this store (for the pool and for LISTEN). */
  clientConfig(): ClientConfig {
    return { connectionString: this.#options.connectionString, application_name: 'handoffs' };
  }

  async #getPool(): Promise<Pool> {
    if (this.#closed) throw new HandoffError('INVALID_OPTION', `the store at ${this.#options.location} is closed`);
    this.#pool ??= this.pg().then(({ Pool }) => {
      const pool = new Pool({ ...this.clientConfig(), max: this.#options.maxConnections, idleTimeoutMillis: IDLE_MS });
      // An idle connection cut by the server emits 'error' on the pool; unhandled, it would end
      // the process. The next statement gets a fresh connection.
      pool.on('error', () => {});
      // Every statement on these connections is this store's, prepared once per connection and
      // written so that one plan serves every parameter (ids by array, each kind of candidate its
      // own index scan). Planning the claim anew each call would cost more than running it.
      pool.on('connect', (client) => {
        client.query('SET plan_cache_mode = force_generic_plan').catch(() => {});
      });
      return pool;
    });
    try {
      return await this.#pool;
    } catch (error) {
      this.#pool = undefined;
      throw error;
    }
  }

  /** Runs one statement, prepared under its name; `action` names it in errors. */
  async query<R extends QueryResultRow>(action: string, statement: Statement, values: readonly unknown[], replay: Replay): Promise<R[]> {
    return this.withClient(action, replay, async (client) => (await client.query<R>({ ...statement, values: values as unknown[] })).rows);
  }

  /** Runs one statement that returns no rows, prepared under its name; the rows it changed. */
  async execute(action: string, statement: Statement, values: readonly unknown[], replay: Replay): Promise<number> {
    return this.withClient(action, replay, async (client) => (await client.query({ ...statement, values: values as unknown[] })).rowCount ?? 0);
  }

  /**
   * Runs `work` on one connection, retrying as described above. `work` must be one statement or a
   * transaction that rolls back whole when its connection fails.
   */
  async withClient<T>(action: string, replay: Replay, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const pool = await this.#getPool();
    const deadline = Date.now() + this.#options.retryForMs;
    for (let attempt = 0; ; attempt++) {
      let client = this.#spare;
      this.#spare = undefined;
      if (client === undefined) {
        try {
          client = await pool.connect();
        } catch (error) {
          // Nothing was sent: always safe to try again.
          if (isTransient(error) && Date.now() < deadline && !this.#closed) {
            await pause(attempt);
            continue;
          }
          throw this.failure(action, error);
        }
      }
      if (!this.#guarded.has(client)) {
        // A connection cut under a statement also emits 'error' on its client; the statement's
        // rejection carries it, and unhandled the event would end the process. Cut while kept
        // as the spare, it is closed (\`release(true)\`), never handed to the next statement.
        this.#guarded.add(client);
        const guarded = client;
        const drop = () => {
          if (this.#spare !== guarded) return;
          this.#spare = undefined;
          guarded.release(true);
        };
        client.on('error', drop);
        client.on('end', drop);
      }
      try {
        const result = await work(client);
        this.#keep(pool, client);
        return result;
      } catch (error) {
        const transient = isTransient(error);
        // A connection that failed must not go back to the pool.
        client.release(transient ? (error as Error) : undefined);
        if (transient && replay === 'idempotent' && Date.now() < deadline && !this.#closed) {
          await pause(attempt);
          continue;
        }
        throw this.failure(action, error);
      }
    }
  }

  /** Keeps `client` as the spare, or gives it back to the pool (see {@link PostgresDriver.#spare}). */
  #keep(pool: Pool, client: PoolClient): void {
    if (this.#spare !== undefined || this.#closed || pool.waitingCount > 0) {
      client.release();
      return;
    }
    this.#spare = client;
    this.#spareUsedAt = Date.now();
    this.#spareTimer ??= setTimeout(() => this.#expireSpare(), IDLE_MS).unref();
  }

  /** Closes the spare once unused for {@link IDLE_MS}; one timer, not one per statement. */
  #expireSpare(): void {
    this.#spareTimer = undefined;
    const spare = this.#spare;
    if (spare === undefined) return;
    const unused = Date.now() - this.#spareUsedAt;
    if (unused < IDLE_MS) {
      this.#spareTimer = setTimeout(() => this.#expireSpare(), IDLE_MS - unused).unref();
      return;
    }
    this.#spare = undefined;
    spare.release(true);
  }

  /**
   * The error a caller sees: `IO` with a `cause` that keeps the SQLSTATE or errno as `code` and the
   * message with any secret scrubbed, never the client's own error object (it can hold the
   * connection settings).
   */
  failure(action: string, error: unknown): HandoffError {
    if (error instanceof HandoffError) return error;
    const code = errorCode(error) ?? 'UNKNOWN';
    const message = scrub(error instanceof Error ? error.message : String(error), this.#options.secrets);
    const cause = Object.assign(new Error(message), { code });
    return new HandoffError('IO', `${action} failed (${code}: ${message}) at ${this.#options.location}`, {
      cause,
      path: this.#options.location,
    });
  }

  /** Closes every connection; later statements fail. Safe to call more than once. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#spareTimer);
    this.#spareTimer = undefined;
    // The pool ends once every connection is back.
    this.#spare?.release();
    this.#spare = undefined;
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await (await pool.catch(() => undefined))?.end();
  }
}

/** How long a connection may sit unused before it is closed. */
const IDLE_MS = 10_000;

/** Back-off between attempts: 50 ms doubling to 1 s, with jitter so restarted workers spread out. */
function pause(attempt: number): Promise<void> {
  const ms = Math.min(1000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
