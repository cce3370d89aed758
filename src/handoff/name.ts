import { HandoffError } from '../errors.js';

/**
 * The handoff name grammar, `YYYY-MM-DD_HHMMSS_<slug>.md`, and its consumed form
 * `YYYY-MM-DD_HHMMSS_<slug>_done.md`. Either may carry a tag, `…_<slug>~<tag>.md` and
 * `…_<slug>~<tag>_done.md`: the library adds one to every name it moves a handoff to, so that a
 * name it moves to has never existed and the move can never replace another file. Pure functions:
 * no filesystem here.
 */

/** Which clock a name's timestamp is written in. `'local'` matches a shell's `date +%Y-%m-%d_%H%M%S`. */
export type TimeZone = 'local' | 'utc';

/** The longest slug `normalizeSlug` returns, before any collision suffix. */
export const MAX_SLUG_LENGTH = 64;

/** The suffix that marks a handoff as consumed. */
export const DONE_SUFFIX = '_done.md';

const PENDING_SUFFIX = '.md';

// The slug is lenient on reading (people and agents write these names by hand) and strict on
// writing (`normalizeSlug`). It cannot start with a dot, so no name can be `.` or `..`.
const NAME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})_(\d{2})(\d{2})(\d{2})_([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:~([a-z0-9]+(?:-[a-z0-9]+)?)(_done)?)?\.md$/;

/** A tag: `[a-z0-9]`, optionally two parts joined by `-` (a batch and a unique part). */
export const TAG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)?$/;

/** The longest file name most filesystems take, in bytes. */
export const MAX_NAME_BYTES = 255;

const COLLISION_PATTERN = /^(.+)-([2-9]|[1-9]\d+)$/;

/** A handoff file name taken apart. */
export interface HandoffName {
  /** The file name as found, pending or consumed form. */
  readonly name: string;
  /** `YYYY-MM-DD_HHMMSS`. */
  readonly stamp: string;
  /** The slug including any collision suffix (`fix-2`). */
  readonly slug: string;
  /** Whether this is the consumed (`_done.md`) form. */
  readonly done: boolean;
  /** The tag after `~`, when the name has one. */
  readonly tag: string | undefined;
  /** The pending form of the name (`…_<slug>[~<tag>].md`). */
  readonly pendingName: string;
  /** The consumed form of the name (`…_<slug>[~<tag>]_done.md`). */
  readonly doneName: string;
}

/**
 * Normalises free text to a slug: lower case, accents dropped, every run of other characters
 * becomes one `-`, trimmed, at most {@link MAX_SLUG_LENGTH} characters.
 *
 * @throws HandoffError `INVALID_SLUG` when the input is not a string or nothing is left.
 */
export function normalizeSlug(input: unknown): string {
  if (typeof input !== 'string') {
    throw new HandoffError('INVALID_SLUG', `slug must be a string, got ${describe(input)}`);
  }
  const slug = input
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_SLUG_LENGTH * 4)
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/-+$/, '');
  if (slug === '') {
    throw new HandoffError(
      'INVALID_SLUG',
      `slug ${JSON.stringify(input.slice(0, 80))} has no letters or digits`,
    );
  }
  return slug;
}

/** Formats `date` as `YYYY-MM-DD_HHMMSS` in the given clock. */
export function formatStamp(date: Date, timeZone: TimeZone): string {
  const utc = timeZone === 'utc';
  const parts = utc
    ? [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    : [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()];
  const [year, month, day, hours, minutes, seconds] = parts.map((part, index) =>
    String(part).padStart(index === 0 ? 4 : 2, '0'),
  );
  return `${year}-${month}-${day}_${hours}${minutes}${seconds}`;
}

/** The instant a `YYYY-MM-DD_HHMMSS` stamp names in the given clock. */
export function parseStamp(stamp: string, timeZone: TimeZone): Date {
  const fields = /^(\d{4})-(\d{2})-(\d{2})_(\d{2})(\d{2})(\d{2})$/.exec(stamp);
  if (!fields) throw new HandoffError('INVALID_NAME', `not a timestamp: ${JSON.stringify(stamp)}`);
  const [year, month, day, hours, minutes, seconds] = fields.slice(1).map(Number) as [
    number, number, number, number, number, number,
  ];
  return timeZone === 'utc'
    ? new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds))
    : new Date(year, month - 1, day, hours, minutes, seconds);
}

/**
 * Builds a handoff file name; `collision` n ≥ 2 appends `-n` to the slug, `tag` appends `~<tag>`.
 * A slug too long for the name to fit {@link MAX_NAME_BYTES} is shortened (see `fitSlug`).
 */
export function formatHandoffName(
  stamp: string,
  slug: string,
  options: { collision?: number; done?: boolean; tag?: string } = {},
): string {
  const { collision = 1, done = false, tag } = options;
  const fullSlug = collision > 1 ? `${slug}-${collision}` : slug;
  const suffix = `${tag === undefined ? '' : `~${tag}`}${done ? DONE_SUFFIX : PENDING_SUFFIX}`;
  return `${stamp}_${fitSlug(fullSlug, MAX_NAME_BYTES - stamp.length - 1 - suffix.length)}${suffix}`;
}

/**
 * Shortens a slug to at most `budget` characters, ending on a letter or digit. Slugs are ASCII, so
 * characters are bytes. A hand-written name near the filesystem's limit has no room for a tag;
 * the names derived from it take a shorter slug instead of failing with ENAMETOOLONG forever.
 */
export function fitSlug(slug: string, budget: number): string {
  if (slug.length <= budget) return slug;
  const cut = slug.slice(0, Math.max(1, budget)).replace(/[._-]+$/, '');
  return cut === '' ? slug.slice(0, 1) : cut;
}

/** Takes a file name apart, or returns `undefined` when it is not a handoff name. */
export function parseHandoffName(name: string): HandoffName | undefined {
  const fields = NAME_PATTERN.exec(name);
  if (!fields) return undefined;
  const [month, day, hours, minutes, seconds] = fields.slice(2, 7).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 60) {
    return undefined;
  }
  let slug = fields[7]!;
  const tag = fields[8];
  let done = fields[9] !== undefined;
  // Without a tag, `_done` is part of what the slug pattern matched.
  if (tag === undefined && slug.endsWith('_done')) {
    done = true;
    slug = slug.slice(0, -'_done'.length);
  }
  if (slug === '' || !/[A-Za-z0-9]$/.test(slug)) return undefined;
  const stamp = name.slice(0, 17);
  const tagged = tag === undefined ? '' : `~${tag}`;
  return {
    name,
    stamp,
    slug,
    done,
    tag,
    pendingName: `${stamp}_${slug}${tagged}${PENDING_SUFFIX}`,
    doneName: `${stamp}_${slug}${tagged}${DONE_SUFFIX}`,
  };
}

/** Splits a slug into its base and collision number (`fix-3` → `['fix', 3]`, `fix` → `['fix', 1]`). */
export function splitCollision(slug: string): [base: string, collision: number] {
  const fields = COLLISION_PATTERN.exec(slug);
  return fields ? [fields[1]!, Number(fields[2])] : [slug, 1];
}

/**
 * Chronological order of handoff names: by timestamp, then by slug, then by collision number, so
 * `fix`, `fix-2`, `fix-10` keep the order in which same-second writers published them.
 */
export function compareHandoffNames(a: HandoffName, b: HandoffName): number {
  if (a.stamp !== b.stamp) return a.stamp < b.stamp ? -1 : 1;
  const [baseA, collisionA] = splitCollision(a.slug);
  const [baseB, collisionB] = splitCollision(b.slug);
  if (baseA !== baseB) return baseA < baseB ? -1 : 1;
  if (collisionA !== collisionB) return collisionA - collisionB;
  if (a.tag !== b.tag) return (a.tag ?? '') < (b.tag ?? '') ? -1 : 1;
  return a.done === b.done ? 0 : a.done ? 1 : -1;
}

/**
 * Sorts names chronologically (as {@link compareHandoffNames}), computing each sort key once:
 * sorting tens of thousands of names must not run a regular expression per comparison.
 */
export function sortHandoffNames(names: HandoffName[]): HandoffName[] {
  const keyed = names.map((parsed) => {
    const [base, collision] = splitCollision(parsed.slug);
    return { parsed, base, collision };
  });
  keyed.sort((a, b) => {
    if (a.parsed.stamp !== b.parsed.stamp) return a.parsed.stamp < b.parsed.stamp ? -1 : 1;
    if (a.base !== b.base) return a.base < b.base ? -1 : 1;
    if (a.collision !== b.collision) return a.collision - b.collision;
    if (a.parsed.tag !== b.parsed.tag) return (a.parsed.tag ?? '') < (b.parsed.tag ?? '') ? -1 : 1;
    return a.parsed.done === b.parsed.done ? 0 : a.parsed.done ? 1 : -1;
  });
  return keyed.map((entry) => entry.parsed);
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
