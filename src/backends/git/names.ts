import { formatHandoffName, normalizeSlug, parseHandoffName, splitCollision } from '../../handoff/name.js';
import type { HandoffState } from '../types.js';

/**
 * The git store's names. A handoff on the remote is one ref, `<namespace>/<stamp>_<slug>` (the
 * ref's leaf), for its whole life: its state lives in the commit the ref points to, so every change
 * of state is one compare-and-swap of one ref. The names callers see follow the handoff grammar and
 * say the state: `<leaf>.md` pending, `.claimed_<unique>_<leaf>.md` claimed (hidden, like the
 * directory store's claims), `<leaf>~<batch>-<unique>_done.md` consumed, where `unique` is the
 * state object's own tag, so a consumed name is never given twice. Pure functions.
 */

/** A presented name taken apart. */
export interface PresentedName {
  readonly leaf: string;
  readonly state: HandoffState;
  /** `claimed` and `consumed`: the unique tag of the state object the name was given to. */
  readonly unique?: string;
  readonly batch?: string;
}

/** The stamp and slug (collision suffix included) of a leaf, or `undefined` for a foreign ref. */
export function parseLeaf(leaf: string): { stamp: string; slug: string } | undefined {
  const parsed = parseHandoffName(`${leaf}.md`);
  if (!parsed || parsed.done || parsed.tag !== undefined) return undefined;
  return { stamp: parsed.stamp, slug: parsed.slug };
}

/** The name a handoff is shown under in `state`. */
export function presentedName(leaf: string, state: HandoffState, unique: string, batch: string | undefined): string {
  if (state === 'pending') return `${leaf}.md`;
  if (state === 'claimed') return `.claimed_${unique}_${leaf}.md`;
  return `${leaf}~${batch ?? 'none'}-${unique}_done.md`;
}

/** Takes a presented name apart, or `undefined` when it is not one of the git store's names. */
export function parsePresentedName(name: string): PresentedName | undefined {
  const claimed = /^\.claimed_([a-z0-9]{1,32})_(.+)\.md$/.exec(name);
  if (claimed) return parseLeaf(claimed[2]!) ? { leaf: claimed[2]!, state: 'claimed', unique: claimed[1]! } : undefined;
  const parsed = parseHandoffName(name);
  if (!parsed) return undefined;
  const leaf = `${parsed.stamp}_${parsed.slug}`;
  if (!parsed.done) return parsed.tag === undefined ? { leaf, state: 'pending' } : undefined;
  const tag = /^([a-z0-9]{1,16})-([a-z0-9]{1,32})$/.exec(parsed.tag ?? '');
  return tag ? { leaf, state: 'consumed', batch: tag[1]!, unique: tag[2]! } : undefined;
}

/**
 * The slug a handoff gets on the remote: normalised (hand-written local names may hold capitals and
 * dots a ref name cannot), split into its base and collision number.
 */
export function remoteSlug(slug: string): { base: string; collision: number } {
  const [base, collision] = splitCollision(slug);
  let normal: string;
  try {
    normal = normalizeSlug(base);
  } catch {
    normal = 'handoff';
  }
  return { base: normal, collision };
}

/** The leaf `<stamp>_<base>[-n]`. */
export function leafOf(stamp: string, base: string, collision: number): string {
  return formatHandoffName(stamp, base, { collision }).slice(0, -'.md'.length);
}

/**
 * Free collision numbers for `<stamp>_<base>`, from `from` on: the first `count` whose leaf no ref
 * in `taken` has. A pending, claimed or consumed handoff all keep their name taken, so a name is
 * never given to two handoffs while either is kept.
 */
export function freeCollisions(taken: ReadonlySet<string>, stamp: string, base: string, from: number, count: number): number[] {
  const free: number[] = [];
  for (let collision = Math.max(1, from); free.length < count; collision++) {
    if (!taken.has(leafOf(stamp, base, collision))) free.push(collision);
  }
  return free;
}
