import { HandoffError } from '../../errors.js';
import type { Runtime } from '../../runtime.js';

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /**
   * `postgres://user:password@host:port/database?…`. TLS follows the URL as the `pg` client reads
   * it (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`, `uselibpqcompat`); `schema=NAME` in the
   * query chooses the schema (see `schema`). The password never appears in errors or `location`.
   */
  url: string;
  /**
   * The schema holding the store's tables, created on first use. Default `'handoffs'`, or the
   * URL's `schema` parameter. Several stores can share a database under different schemas.
   */
  schema?: string;
  /**
   * Whose clock sets and judges leases. `'server'` (default): the database's `now()`, one clock
   * for every worker on every machine, whatever their clocks say. `'client'`: each request's
   * `now` (the store's clock), for simulations with a fake clock; workers' clocks must then agree.
   */
  leaseClock?: 'server' | 'client';
  /** Connections this store opens at most (each process has its own). Default 4. */
  maxConnections?: number;
  /** How long an operation keeps retrying while the server is unreachable or restarting. Default 15 000 ms. */
  retryForMs?: number;
  /** The process (pid, host, liveness test) claims are judged by. Default: the real process. */
  runtime?: Runtime;
}

/** The options with defaults applied and the URL taken apart. */
export interface ResolvedPostgresOptions {
  /** The URL handed to the `pg` client: the caller's, without this library's own parameters. */
  readonly connectionString: string;
  readonly schema: string;
  /** Where the store is, for messages: no user, no password, no query. */
  readonly location: string;
  readonly leaseClock: 'server' | 'client';
  readonly maxConnections: number;
  readonly retryForMs: number;
  /** Secrets to scrub from any message that reaches the caller. */
  readonly secrets: readonly string[];
}

/** Schema names this library creates: plain lower-case identifiers, so quoting is never ambiguous. */
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;
const PROTOCOL = /^postgres(?:ql)?:\/\//i;

/** Whether `url` names a PostgreSQL store. */
export function isPostgresUrl(url: string): boolean {
  return PROTOCOL.test(url);
}

/**
 * Validates the options and applies defaults.
 *
 * @throws HandoffError `INVALID_OPTION`; the message never holds the URL's user or password.
 */
export function resolvePostgresOptions(options: PostgresStoreOptions): ResolvedPostgresOptions {
  if (typeof options !== 'object' || options === null || typeof options.url !== 'string' || !isPostgresUrl(options.url)) {
    throw new HandoffError('INVALID_OPTION', 'postgresStore needs { url: "postgres://…" }');
  }
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    // Deliberately without `cause`: the URL parser's error carries the whole input, password included.
    throw new HandoffError('INVALID_OPTION', 'the PostgreSQL URL cannot be parsed (its text is withheld: it may hold a password)');
  }
  const secrets = [safeDecode(parsed.password), parsed.password, parsed.searchParams.get('password') ?? ''].filter((secret) => secret.length > 0);
  const schema = options.schema ?? parsed.searchParams.get('schema') ?? 'handoffs';
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new HandoffError('INVALID_OPTION', `schema must match ${SCHEMA_PATTERN.source}, got ${JSON.stringify(schema)}`);
  }
  parsed.searchParams.delete('schema');
  const leaseClock = options.leaseClock ?? 'server';
  if (leaseClock !== 'server' && leaseClock !== 'client') {
    throw new HandoffError('INVALID_OPTION', `leaseClock must be 'server' or 'client', got ${String(leaseClock)}`);
  }
  const location = `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}${schema === 'handoffs' ? '' : `?schema=${schema}`}`;
  return {
    connectionString: parsed.toString(),
    schema,
    location,
    leaseClock,
    maxConnections: positiveInteger('maxConnections', options.maxConnections ?? 4),
    retryForMs: nonNegative('retryForMs', options.retryForMs ?? 15_000),
    secrets,
  };
}

/** Replaces every secret in `text` (the URL's password) with `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join('***');
  return result;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function positiveInteger(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new HandoffError('INVALID_OPTION', `${option} must be a positive whole number, got ${String(value)}`);
  }
  return value;
}

function nonNegative(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new HandoffError('INVALID_OPTION', `${option} must be a non-negative number, got ${String(value)}`);
  }
  return value;
}
