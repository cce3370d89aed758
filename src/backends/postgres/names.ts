import { formatHandoffName, parseHandoffName } from '../../handoff/name.js';

/**
 * The PostgreSQL store's names beside the handoff grammar. A row's `name` column holds its pending
 * or consumed name; a claimed handoff is shown under a claim name built from its row's name and
 * claim token, which is also the handle `acknowledge` and `release` act on. Pure functions.
 */

/** A claim name taken apart. */
export interface PostgresClaimName {
  readonly name: string;
  /** The claiming session's batch. */
  readonly batch: string;
  /** The claim's own token (unique to this claim of this row). */
  readonly token: string;
  /** The row's name while claimed: its pending name. */
  readonly pendingName: string;
}

const CLAIM_PATTERN = /^\.claim_([a-z0-9]{1,16})-([a-z0-9]{1,40})_(.+\.md)$/;

/** `.claim_<batch>-<token>_<pending name>`. */
export function formatClaimName(batch: string, token: string, pendingName: string): string {
  return `.claim_${batch}-${token}_${pendingName}`;
}

/** Takes a claim name apart; `undefined` when `name` is not one. */
export function parseClaimName(name: string): PostgresClaimName | undefined {
  const fields = CLAIM_PATTERN.exec(name);
  if (!fields || parseHandoffName(fields[3]!)?.done !== false) return undefined;
  return { name, batch: fields[1]!, token: fields[2]!, pendingName: fields[3]! };
}

/**
 * The consumed name a claim is acknowledged to: `<stamp>_<slug>~<batch>-<token>_done.md`. Unique
 * because the token is, and the batch in it is what `restore({ batch })` finds again.
 */
export function consumedNameOf(claim: PostgresClaimName): string {
  const parsed = parseHandoffName(claim.pendingName)!;
  return formatHandoffName(parsed.stamp, parsed.slug, { tag: `${claim.batch}-${claim.token}`, done: true });
}
