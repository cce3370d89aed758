import { channelOf, quoted } from './schema.js';

/**
 * The SQL of every operation, one statement each, parameterised: values only ever travel as
 * parameters; the only text spliced in is the schema name, validated as `[a-z_][a-z0-9_]*` and
 * quoted. Each statement runs alone (autocommit), so it commits or fails whole.
 */
export type Statements = Record<
  'publish' | 'publishFirst' | 'claim' | 'acknowledge' | 'release' | 'restore' | 'purge' | 'list' | 'listAll' | 'readByName' | 'readClaimed' | 'pendingNames' | 'importOne',
  Statement
>;

/**
 * A statement and the name it is prepared under on each connection: parsed and planned once per
 * connection instead of on every call (planning the claim costs twice what running it does).
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/** The columns `list` and `read` return. */
const ROW = 'name, stamp, slug, state, data, consumed_at, lease_expires_at, batch, claim_token';

/** The statements for one schema. */
export function statementsFor(schema: string): Statements {
  const table = `${quoted(schema)}.handoffs`;
  const channel = channelOf(schema);
  const texts = {
    // $1 id, $2 stamp, $3 slug, $4 project, $5 created_at, $6 offset minutes, $7 data, $8 meta.
    // The usual case, a name nobody has: one plain insert, which reports only how many rows it
    // inserted (no RETURNING: rows sent back cost a write 5 to 10% of its time). None means the
    // name (or the id, for a write sent again) is taken, and the function below sorts it out.
    // The name is announced by the one-time filter, before the insert is tried: a write that
    // finds its name taken announces that name too, which is another handoff's, or this one's
    // sent again (a watcher may see a name twice, and follows names with a claim anyway).
    publishFirst: `
INSERT INTO ${table} (id, name, stamp, slug, project, created_at, created_offset_minutes, data, meta)
SELECT $1::bigint, named.name, $2::text, $3::text, $4::text, $5::timestamptz, $6::smallint, $7::bytea, $8::jsonb
FROM (SELECT $2::text || '_' || $3::text || '.md' AS name) AS named
WHERE pg_notify('${channel}', named.name) IS NOT NULL
ON CONFLICT DO NOTHING`,
    publish: `SELECT ${quoted(schema)}.publish($1, $2, $3, $4, $5, $6, $7, $8) AS name`,

    // One statement claims a whole batch. $1 call token, $2 batch, $3 pid, $4 host, $5 lease ms,
    // $6 the request's now (NULL: the server's clock), $7 project (NULL: all), $8 limit (NULL: all),
    // $9 pids on this host known dead, $10 whether this is the statement sent again, $11 the
    // claiming session (its own handoffs are left for other sessions; NULL: none).
    //
    // Candidates are pending handoffs in scope, oldest first, and claims that may be taken over:
    // lease ended, holder dead on this host, or, sent again after a lost reply, this very
    // statement's own claims (found again instead of left to the lease). Each kind is its own
    // index scan (the retry's runs only when $10 says so), so a claim costs the same however many
    // claims are in flight. FOR UPDATE SKIP LOCKED locks each candidate or skips it when another
    // claim is taking it: a row is updated only while this statement holds it, and rechecked
    // against the WHERE clause on its newest version, so two claims never take the same handoff.
    //
    // Besides the claimed rows it returns, in the same round trip, the pending handoffs of other
    // projects (reported as skipped) and the pids on this host holding live claims (the caller
    // tests them and claims again for those that are dead).
    claim: `
WITH pending AS (
  SELECT h.id, h.state, h.claim_token, h.created_at, h.name FROM ${table} h
  WHERE h.state = 'pending' AND ($7::text IS NULL OR h.project IS NULL OR h.project = $7::text)
    AND ($11::text IS NULL OR h.meta->>'sessionId' IS DISTINCT FROM $11::text)
  ORDER BY h.created_at, h.name
  LIMIT $8::integer
  FOR UPDATE SKIP LOCKED
),
expired AS (
  SELECT h.id, h.state, h.claim_token, h.created_at, h.name FROM ${table} h
  WHERE h.state = 'claimed' AND h.lease_expires_at <= coalesce($6::timestamptz, now())
    AND ($7::text IS NULL OR h.project IS NULL OR h.project = $7::text)
    AND ($11::text IS NULL OR h.meta->>'sessionId' IS DISTINCT FROM $11::text)
  ORDER BY h.created_at, h.name
  LIMIT $8::integer
  FOR UPDATE SKIP LOCKED
),
orphaned AS (
  SELECT h.id, h.state, h.claim_token, h.created_at, h.name FROM ${table} h
  WHERE h.state = 'claimed' AND h.holder_host = $4::text AND h.holder_pid = ANY($9::integer[])
    AND ($7::text IS NULL OR h.project IS NULL OR h.project = $7::text)
    AND ($11::text IS NULL OR h.meta->>'sessionId' IS DISTINCT FROM $11::text)
  ORDER BY h.created_at, h.name
  LIMIT $8::integer
  FOR UPDATE SKIP LOCKED
),
retried AS (
  SELECT h.id, h.state, h.claim_token, h.created_at, h.name FROM ${table} h
  WHERE $10::boolean AND h.state = 'claimed' AND h.claim_token = $1::text || to_hex(h.id)
  FOR UPDATE SKIP LOCKED
),
picked AS (
  SELECT * FROM (
    SELECT * FROM pending UNION SELECT * FROM expired UNION SELECT * FROM orphaned UNION SELECT * FROM retried
  ) candidates
  ORDER BY created_at, name
  LIMIT $8::integer
),
claimed AS (
  -- By id from an array: an index lookup per row whatever the planner guesses of the limit.
  UPDATE ${table} h SET
    state = 'claimed',
    claim_token = $1::text || to_hex(h.id),
    batch = $2::text,
    holder_pid = $3::integer,
    holder_host = $4::text,
    lease_expires_at = coalesce($6::timestamptz, now()) + $5::double precision * interval '1 millisecond',
    deliveries = h.deliveries + CASE WHEN h.claim_token = $1::text || to_hex(h.id) THEN 0 ELSE 1 END
  WHERE h.id = ANY (ARRAY(SELECT id FROM picked))
  RETURNING h.id, h.name, h.data, h.claim_token
)
SELECT 'claimed' AS kind, c.name, c.data, c.claim_token,
  (p.state = 'claimed' AND p.claim_token IS DISTINCT FROM c.claim_token) AS redelivered, NULL::integer AS pid
  FROM claimed c JOIN picked p ON p.id = c.id
UNION ALL
(SELECT 'skipped', h.name, NULL, NULL, NULL, NULL FROM ${table} h
  WHERE $7::text IS NOT NULL AND h.state = 'pending' AND h.project IS NOT NULL AND h.project <> $7::text
  ORDER BY h.created_at, h.name)
UNION ALL
SELECT DISTINCT 'holder', NULL, NULL::bytea, NULL, NULL::boolean, h.holder_pid FROM ${table} h
  WHERE h.state = 'claimed' AND h.holder_host = $4::text AND h.holder_pid <> $3::integer
    AND h.lease_expires_at > coalesce($6::timestamptz, now()) AND NOT (h.holder_pid = ANY($9::integer[]))`,

    // $1 pending names, $2 tokens, $3 consumed names, $4 at. Consumes the rows still held by
    // these claims. A row already consumed under the same token is this very acknowledgement
    // retried after a lost reply: it counts as acknowledged, unchanged.
    acknowledge: `
UPDATE ${table} h SET
  state = 'consumed',
  name = held.consumed_name,
  consumed_at = CASE WHEN h.state = 'consumed' THEN h.consumed_at ELSE $4::timestamptz END,
  lease_expires_at = NULL
FROM unnest($1::text[], $2::text[], $3::text[]) AS held(pending_name, token, consumed_name)
WHERE h.name = ANY ($1::text[] || $3::text[])
  AND h.claim_token = held.token
  AND ((h.state = 'claimed' AND h.name = held.pending_name) OR (h.state = 'consumed' AND h.name = held.consumed_name))
RETURNING held.token, h.name`,

    // $1 pending names, $2 tokens. Pending again; the token stays, so a retried release finds
    // the row it already released (until another claim takes it and replaces the token).
    release: `
WITH released AS (
  UPDATE ${table} h SET state = 'pending', lease_expires_at = NULL, holder_pid = NULL, holder_host = NULL, batch = NULL
  FROM unnest($1::text[], $2::text[]) AS held(pending_name, token)
  WHERE h.name = ANY ($1::text[]) AND h.name = held.pending_name AND h.claim_token = held.token AND h.state IN ('claimed', 'pending')
  RETURNING held.token, h.name
)
SELECT token, name, pg_notify('${channel}', name) FROM released`,

    // $1 consumed names, $2 batch (NULL: none), $3 whether the last batch, $4 tag prefix of the
    // new names. FOR UPDATE (waiting, not skipping): of two restores of one handoff, the second
    // sees it pending once the first commits, and leaves it.
    restore: `
WITH last AS (
  SELECT batch FROM ${table} WHERE state = 'consumed' AND batch IS NOT NULL ORDER BY consumed_at DESC, name DESC LIMIT 1
),
wanted AS (SELECT CASE WHEN $3::boolean THEN coalesce((SELECT batch FROM last), $2::text) ELSE $2::text END AS batch),
target AS (
  SELECT h.id, h.name FROM ${table} h, wanted
  WHERE h.state = 'consumed' AND (h.name = ANY($1::text[]) OR h.batch = wanted.batch)
  FOR UPDATE OF h
),
restored AS (
  UPDATE ${table} h SET
    state = 'pending',
    name = h.stamp || '_' || h.slug || '~' || $4::text || to_hex(h.id) || '.md',
    consumed_at = NULL, batch = NULL, claim_token = NULL, holder_pid = NULL, holder_host = NULL, lease_expires_at = NULL
  WHERE h.id = ANY (ARRAY(SELECT id FROM target)) AND h.state = 'consumed'
  RETURNING h.id, h.name
)
SELECT t.name AS source, r.name AS target, pg_notify('${channel}', r.name) FROM restored r JOIN target t ON t.id = r.id`,

    // $1 consumed before.
    purge: `DELETE FROM ${table} WHERE state = 'consumed' AND consumed_at < $1::timestamptz RETURNING name`,

    list: `SELECT ${ROW} FROM ${table} WHERE state <> 'consumed'`,
    listAll: `SELECT ${ROW} FROM ${table}`,
    // $1 name: a pending or consumed handoff by the name it has now.
    readByName: `SELECT ${ROW} FROM ${table} WHERE name = $1::text AND state <> 'claimed'`,
    // $1 pending name, $2 token: a handoff held by that claim.
    readClaimed: `SELECT ${ROW} FROM ${table} WHERE name = $1::text AND claim_token = $2::text AND state = 'claimed'`,
    pendingNames: `SELECT name FROM ${table} WHERE state = 'pending' ORDER BY created_at, name`,

    // Copies one handoff with its name, state and times, once. $1 id (derived from the source's
    // name, so a second copy of the same source finds it), $2 name, $3 stamp, $4 slug, $5 project,
    // $6 created_at, $7 offset, $8 data, $9 meta, $10 state, $11 batch, $12 consumed_at.
    // Returns 'copied', 'present' (copied before), or nothing when another handoff has the name.
    importOne: `
WITH inserted AS (
  INSERT INTO ${table} (id, name, stamp, slug, project, created_at, created_offset_minutes, data, meta, state, batch, consumed_at, deliveries)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, CASE WHEN $10::text = 'consumed' THEN 1 ELSE 0 END)
  ON CONFLICT DO NOTHING
  RETURNING name
)
SELECT 'copied' AS outcome FROM inserted
UNION ALL
SELECT 'present' FROM ${table} WHERE id = $1::bigint AND NOT EXISTS (SELECT 1 FROM inserted)`,
  };
  const statements = {} as Record<keyof Statements, Statement>;
  for (const [key, text] of Object.entries(texts) as Array<[keyof Statements, string]>) {
    statements[key] = { name: `h_${key}_${schema}`, text };
  }
  return statements;
}
