import { MAX_NAME_BYTES, fitSlug, formatHandoffName } from '../../handoff/name.js';

/**
 * The directory store's private names, beside the handoff grammar. Every name here is hidden (starts
 * with a dot, so no listing of `*.md` shows it) and unique by construction (it holds a fresh tag), so
 * a rename to it can never replace another file. Pure functions.
 */

/** A claimed handoff's file name taken apart. */
export interface ClaimName {
  readonly name: string;
  /** The claiming session's batch. */
  readonly batch: string;
  /** This claim's own tag. */
  readonly unique: string;
  /** When the lease ends, ms since the epoch. */
  readonly expiresAt: number;
  /** The holder's pid and host tag. */
  readonly pid: number;
  readonly host: string;
  /** The handoff's stamp and slug (collision suffix included): its names derive from them. */
  readonly stamp: string;
  readonly slug: string;
  /** The tag of the pending name it was claimed from, if it had one. */
  readonly tag?: string;
}

const CLAIM_PREFIX = '.claim_';
const CLAIM_PATTERN =
  /^\.claim_([a-z0-9]{1,16})-([a-z0-9]{1,16})_([a-z0-9]{1,12})_(\d{1,10})-([a-z0-9]{1,12})_(\d{4}-\d{2}-\d{2}_\d{6})_([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:~([a-z0-9]+(?:-[a-z0-9]+)?))?\.md$/;

/** Temporary files of writers: `.handoff-<pid>-<tag>.tmp` (earlier versions: `.handoff-<pid>-<counter>-<tag>.tmp`). */
export const TEMP_PATTERN = /^\.handoff-[0-9]+-(?:[0-9]+-)?[0-9a-z]+\.tmp$/;

/**
 * `.claim_<batch>-<unique>_<expiry>_<pid>-<host>_<stamp>_<slug>[~<tag>].md`: who holds the claim,
 * until when, and which handoff it is (the pending name it was claimed from). Everything a takeover
 * needs is in the name, so judging a claim costs no read.
 */
export function formatClaimName(claim: Omit<ClaimName, 'name'>): string {
  const head = `${CLAIM_PREFIX}${claim.batch}-${claim.unique}_${claim.expiresAt.toString(36)}_${claim.pid}-${claim.host}_${claim.stamp}_`;
  const tail = `${claim.tag === undefined ? '' : `~${claim.tag}`}.md`;
  return `${head}${fitSlug(claim.slug, MAX_NAME_BYTES - head.length - tail.length)}${tail}`;
}

/** Takes a claim name apart, or `undefined` when `name` is not one. */
export function parseClaimName(name: string): ClaimName | undefined {
  if (!name.startsWith(CLAIM_PREFIX)) return undefined;
  const fields = CLAIM_PATTERN.exec(name);
  if (!fields) return undefined;
  return {
    name,
    batch: fields[1]!,
    unique: fields[2]!,
    expiresAt: parseInt(fields[3]!, 36),
    pid: Number(fields[4]),
    host: fields[5]!,
    stamp: fields[6]!,
    slug: fields[7]!,
    tag: fields[8],
  };
}

/** The pending name a claimed handoff is known by: the name it was claimed from. */
export function claimedHandoffName(claim: ClaimName): string {
  return formatHandoffName(claim.stamp, claim.slug, { tag: claim.tag });
}

/** The consumed name a claim is acknowledged to: tagged with its batch and its own tag, so never taken. */
export function consumedName(claim: ClaimName): string {
  return formatHandoffName(claim.stamp, claim.slug, { tag: `${claim.batch}-${claim.unique}`, done: true });
}

/** The pending name a claim is released to: tagged with its own tag, so never taken. */
export function releasedName(claim: ClaimName): string {
  return formatHandoffName(claim.stamp, claim.slug, { tag: claim.unique });
}

/** The batch a consumed name records, when it has one (`…~<batch>-<unique>_done.md`). */
export function batchOfConsumed(tag: string | undefined): string | undefined {
  const separator = tag?.indexOf('-') ?? -1;
  return separator > 0 ? tag!.slice(0, separator) : undefined;
}
