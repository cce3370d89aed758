import type { PoolClient } from 'pg';
import { errorCode } from '../../errors.js';
import type { PostgresDriver } from './driver.js';

/**
 * The store's tables, owned by the library: created on first use, changed only by numbered
 * migrations that run once, in order, inside one transaction under an advisory lock, so that a
 * fleet starting at once migrates exactly once. docs/POSTGRES.md describes the layout.
 */

/** A schema name, validated by `resolvePostgresOptions` (`[a-z_][a-z0-9_]*`), quoted. */
export function quoted(schema: string): string {
  return `"${schema}"`;
}

/** The NOTIFY channel on which a schema's newly pending handoffs are announced. */
export function channelOf(schema: string): string {
  return `${schema}_pending`;
}

/** One migration: its version and the statements that take the schema there from the one before. */
interface Migration {
  readonly version: number;
  readonly sql: (schema: string) => string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: (schema) => {
      const s = quoted(schema);
      const channel = channelOf(schema);
      return `
CREATE TABLE ${s}.handoffs (
  -- Chosen at random by the writer, so that a publish retried after a lost reply finds its own row.
  id bigint PRIMARY KEY,
  -- The name now: <stamp>_<slug>.md pending or claimed, <stamp>_<slug>~<batch>-<token>_done.md
  -- consumed, <stamp>_<slug>~<tag>.md restored. Bytewise order, so a name prefix is an index range.
  name text COLLATE "C" NOT NULL UNIQUE,
  stamp text NOT NULL,
  -- The slug published, collision suffix included (fix-2).
  slug text NOT NULL,
  -- The project root it is scoped to; NULL for every project.
  project text,
  -- When it was written, and the writer's UTC offset then (minutes east).
  created_at timestamptz NOT NULL,
  created_offset_minutes smallint NOT NULL,
  -- The whole handoff as written: front matter, then the body byte for byte.
  data bytea NOT NULL,
  -- The front matter, for queries.
  meta jsonb NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'claimed', 'consumed')),
  -- The last claim: its own token, the batch (session) and the holder's process.
  claim_token text,
  batch text,
  holder_pid integer,
  holder_host text,
  lease_expires_at timestamptz,
  -- How many times it was claimed; more than one means it was delivered again.
  deliveries integer NOT NULL DEFAULT 0,
  consumed_at timestamptz,
  CHECK (state <> 'claimed' OR (claim_token IS NOT NULL AND lease_expires_at IS NOT NULL)),
  CHECK (state <> 'consumed' OR consumed_at IS NOT NULL)
);
COMMENT ON TABLE ${s}.handoffs IS 'handoffs: context handoffs between agent sessions (see docs/POSTGRES.md)';
-- Claims take the oldest pending first; takeovers look at claims by lease; purge and restore look
-- at consumed ones by time and batch. Each index covers one state only, so it stays small.
CREATE INDEX handoffs_pending ON ${s}.handoffs (created_at, name) WHERE state = 'pending';
CREATE INDEX handoffs_claimed ON ${s}.handoffs (lease_expires_at) WHERE state = 'claimed';
CREATE INDEX handoffs_claimed_holder ON ${s}.handoffs (holder_host, holder_pid) WHERE state = 'claimed';
CREATE INDEX handoffs_consumed ON ${s}.handoffs (consumed_at) WHERE state = 'consumed';
CREATE INDEX handoffs_consumed_batch ON ${s}.handoffs (batch) WHERE state = 'consumed';

-- Publishes under the first free name <stamp>_<slug>[-N].md, in one round trip however many
-- writers race for the same name: a taken name moves past the highest number taken so far.
CREATE FUNCTION ${s}.publish(
  p_id bigint, p_stamp text, p_slug text, p_project text, p_created_at timestamptz,
  p_offset smallint, p_data bytea, p_meta jsonb
) RETURNS text LANGUAGE plpgsql AS $body$
DECLARE
  v_prefix text := p_stamp || '_' || p_slug;
  v_n integer := 1;
  v_slug text;
  v_name text;
  v_taken integer;
BEGIN
  LOOP
    v_slug := CASE WHEN v_n = 1 THEN p_slug ELSE p_slug || '-' || v_n END;
    v_name := p_stamp || '_' || v_slug || '.md';
    INSERT INTO ${s}.handoffs (id, name, stamp, slug, project, created_at, created_offset_minutes, data, meta)
      VALUES (p_id, v_name, p_stamp, v_slug, p_project, p_created_at, p_offset, p_data, p_meta)
      ON CONFLICT DO NOTHING;
    IF FOUND THEN
      PERFORM pg_notify('${channel}', v_name);
      RETURN v_name;
    END IF;
    -- A retry of a publish that committed before its reply was lost: that row is this handoff.
    SELECT stamp || '_' || slug || '.md' INTO v_name FROM ${s}.handoffs WHERE id = p_id;
    IF FOUND THEN
      RETURN v_name;
    END IF;
    SELECT max((regexp_match(substr(name, length(v_prefix) + 2), '^([0-9]{1,9})(~|[.]md$)'))[1]::integer)
      INTO v_taken
      FROM ${s}.handoffs
      WHERE name >= v_prefix || '-' AND name < v_prefix || '.';
    v_n := greatest(v_n + 1, coalesce(v_taken, 1) + 1);
  END LOOP;
END
$body$;
`;
    },
  },
  {
    version: 2,
    // One CHECK instead of three, the same rule: PostgreSQL prepares every CHECK expression anew
    // for each statement that writes a row: on a local server the three cost a write (about
    // 100 µs) some 12 µs, one some 6 µs. NOT VALID: every row there already passed the
    // three checks this one restates, and new rows are checked all the same; it spares the
    // migration a scan of the whole table while it holds the table's lock.
    sql: (schema) => `
ALTER TABLE ${quoted(schema)}.handoffs
  DROP CONSTRAINT handoffs_state_check,
  DROP CONSTRAINT handoffs_check,
  DROP CONSTRAINT handoffs_check1,
  ADD CONSTRAINT handoffs_state_check CHECK (CASE state
    WHEN 'pending' THEN true
    WHEN 'claimed' THEN claim_token IS NOT NULL AND lease_expires_at IS NOT NULL
    WHEN 'consumed' THEN consumed_at IS NOT NULL
    ELSE false
  END) NOT VALID;
`,
  },
];

/** The schema version this code needs. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the schema to {@link SCHEMA_VERSION}; returns the migrations applied (0 when it was
 * current). Cheap when current: one read, no lock.
 */
export async function ensureSchema(driver: PostgresDriver, schema: string): Promise<number> {
  const s = quoted(schema);
  try {
    const rows = await driver.withClient('migrate', 'idempotent', async (client) => {
      return (await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${s}.schema_migrations`)).rows;
    });
    if ((rows[0]?.version ?? 0) >= SCHEMA_VERSION) return 0;
  } catch (error) {
    // No schema or no table yet (42P01, 3F000): the locked path below creates them.
    const code = errorCode((error as { cause?: unknown }).cause);
    if (code !== '42P01' && code !== '3F000') throw error;
  }
  return driver.withClient('migrate', 'idempotent', (client) => migrateLocked(client, schema));
}

async function migrateLocked(client: PoolClient, schema: string): Promise<number> {
  const s = quoted(schema);
  await client.query('BEGIN');
  try {
    // One migrator per schema at a time, across every process; released at COMMIT or ROLLBACK.
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`handoffs migrate ${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`);
    const applied = new Set(rows.map((row) => row.version));
    let count = 0;
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql(schema));
      await client.query(`INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`, [migration.version]);
      count++;
    }
    await client.query('COMMIT');
    return count;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
