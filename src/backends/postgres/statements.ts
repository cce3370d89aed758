import { channelOf, quoted } from './schema.js';

/**
 * The SQL of every operation, one statement each, parameterised: values only ever travel as
 * parameters; the only text spliced in is the schema name, validated as `[a-z_][a-z0-9_]*` and
 * quoted. Each statement runs alone (autocommit), so it commits or fails whole.
 */
export interface Statements {
  readonly publish: string;
  readonly claim: string;
  readonly acknowledge: string;
  readonly release: string;
  readonly restore: string;
  readonly purge: string;
  readonly list: string;
  readonly listAll: string;
  readonly readByName: string;
  readonly readClaimed: string;
  readonly pendingNames: string;
  readonly importOne: string;
}

/** The columns `list` and `read` return. */
const ROW = 'name, stamp, slug, state, data, consumed_at, lease_expires_at, batch, claim_token';

/** The statements for one schema. */
export function statementsFor(schema: string): Statements {
  const table = `${quoted(schema)}.handoffs`;
  const channel = channelOf(schema);
  return {
    // $1 id, $2 stamp, $3 slug, $4 project, $5 created_at, $6 offset minutes, $7 data, $8 meta.
    publish: `SELECT ${quoted(schema)}.publish($1, $2, $3, $4, $5, $6, $7, $8) AS name`,

    // One statement claims a whole batch. $1 call token, $2 batch, $3 pid, $4 host, $5 lease ms,
    // $6 the request's now (NULL: the server's clock), $7 project (NULL: all), $8 limit (NULL: all),
    // $9 pids on this host known dead.
    //
    // Candidates are pending handoffs in scope, oldest first, and claims that may be taken over:
    // lease ended, holder dead on this host, or this very call's own claims (a retry after the
    // reply was lost finds them again instead of leaving them to the lease). FOR UPDATE SKIP LOCKED
    // locks each candidate or skips it when another claim is taking it: a row is updated only
    // while this statement holds it, and rechecked against the WHERE clause on its newest version,
    // so two claims never take the same handoff.
    //
    // Besides the claimed rows it returns, in the same round trip, the pending handoffs of other
    // projects (reported as skipped) and the pids on this host holding live claims (the caller
    // tests them and claims again for those that are dead).
    claim: `
WITH clock AS (SELECT coalesce($6::timestamptz, now()) AS now),
pending AS (
  SELECT h.id, h.state, h.claim_token, h.created_at, h.name FROM ${table} h
  WHERE h.state = 'pending' AND ($7::text IS NULL OR h.project IS NULL OR h.project = $7::text)
  ORDER BY h.created_at, h.name
  LIMIT $8::integer
  FOR UPDATE SKIP LOCKED
),
stale AS (
  SELECT h.id, h.state, h.claim_token, h.created_at, h.name FROM ${table} h, clock
  WHERE h.state = 'claimed'
    AND (h.lease_expires_at <= clock.now
      OR (h.holder_host = $4::text AND h.holder_pid = ANY($9::integer[]))
      OR h.claim_token = $1::text || to_hex(h.id))
    AND ($7::text IS NULL OR h.project IS NULL OR h.project = $7::text)
  ORDER BY h.created_at, h.name
  LIMIT $8::integer
  FOR UPDATE SKIP LOCKED
),
picked AS (
  SELECT * FROM (SELECT * FROM pending UNION ALL SELECT * FROM stale) candidates
  ORDER BY created_at, name
  LIMIT $8::integer
),
claimed AS (
  UPDATE ${table} h SET
    state = 'claimed',
    claim_token = $1::text || to_hex(h.id),
    batch = $2::text,
    holder_pid = $3::integer,
    holder_host = $4::text,
    lease_expires_at = clock.now + $5::double precision * interval '1 millisecond',
    deliveries = h.deliveries + CASE WHEN picked.claim_token = $1::text || to_hex(h.id) THEN 0 ELSE 1 END
  FROM picked, clock
  WHERE h.id = picked.id
  RETURNING h.name, h.data, h.claim_token,
    (picked.state = 'claimed' AND picked.claim_token IS DISTINCT FROM $1::text || to_hex(h.id)) AS redelivered
)
SELECT 'claimed' AS kind, name, data, claim_token, redelivered, NULL::integer AS pid FROM claimed
UNION ALL
SELECT 'skipped', h.name, NULL, NULL, NULL, NULL FROM ${table} h
  WHERE $7::text IS NOT NULL AND h.state = 'pending' AND h.project IS NOT NULL AND h.project <> $7::text
UNION ALL
SELECT DISTINCT 'holder', NULL, NULL::bytea, NULL, NULL::boolean, h.holder_pid FROM ${table} h, clock
  WHERE h.state = 'claimed' AND h.holder_host = $4::text AND h.holder_pid <> $3::integer
    AND h.lease_expires_at > clock.now AND NOT (h.holder_pid = ANY($9::integer[]))`,

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
WHERE h.claim_token = held.token
  AND ((h.state = 'claimed' AND h.name = held.pending_name) OR (h.state = 'consumed' AND h.name = held.consumed_name))
RETURNING held.token, h.name`,

    // $1 pending names, $2 tokens. Pending again; the token stays, so a retried release finds
    // the row it already released (until another claim takes it and replaces the token).
    release: `
WITH released AS (
  UPDATE ${table} h SET state = 'pending', lease_expires_at = NULL, holder_pid = NULL, holder_host = NULL, batch = NULL
  FROM unnest($1::text[], $2::text[]) AS held(pending_name, token)
  WHERE h.name = held.pending_name AND h.claim_token = held.token AND h.state IN ('claimed', 'pending')
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
  FROM target
  WHERE h.id = target.id AND h.state = 'consumed'
  RETURNING target.name AS source, h.name AS target
)
SELECT source, target, pg_notify('${channel}', target) FROM restored`,

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
}
