import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PostgresServer } from './postgres-server.mjs';

export type { PostgresServer } from './postgres-server.mjs';

/**
 * Starts one real PostgreSQL server for the calling test file (before its tests, stopped after),
 * and returns a getter for it. Every test then works in a schema of its own (see `freshSchema`).
 */
export function usePostgres(options?: Parameters<typeof startPostgres>[0]): () => PostgresServer {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgres(options);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('the PostgreSQL server is not running');
    return server;
  };
}

/** A schema name no other test uses: a fresh, empty store on the same server. */
export function freshSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** `url` with `schema=` set. */
export function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}
