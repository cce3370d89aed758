import { resolve } from 'node:path';
import { HandoffError } from '../errors.js';
import { parseFrontMatter, renderFrontMatter, type HandoffMeta } from './front-matter.js';
import { parseStamp, type HandoffName, type TimeZone } from './name.js';

/**
 * A handoff's bytes: a front-matter block the library always writes (so a body is never mistaken
 * for front matter, whatever it begins with), then the body exactly as given. Pure functions.
 */

/** The front-matter key holding the instant a handoff was written, with its UTC offset. */
export const CREATED_KEY = 'created';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const decoder = new TextDecoder();

/**
 * Encodes a handoff: `created` (the instant, with the writer's UTC offset), then `meta`, as front
 * matter, then the body. `meta.created` is reserved.
 *
 * @throws HandoffError `INVALID_BODY` or `INVALID_META`.
 */
export function encodeHandoff(body: unknown, meta: HandoffMeta | undefined, created: Date, timeZone: TimeZone): Uint8Array {
  if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta))) {
    throw new HandoffError('INVALID_META', 'meta must be a plain object');
  }
  if (meta !== undefined && CREATED_KEY in meta) {
    throw new HandoffError('INVALID_META', `meta.${CREATED_KEY} is reserved: the store records the instant itself`);
  }
  const header = renderFrontMatter({ [CREATED_KEY]: formatInstant(created, timeZone), ...meta });
  if (typeof body === 'string') return Buffer.from(header + body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.concat([Buffer.from(header, 'utf8'), body]);
  throw new HandoffError('INVALID_BODY', 'body must be a string or a Uint8Array');
}

/** Splits a handoff's bytes into its front matter and body (UTF-8). */
export function decodeHandoff(bytes: Uint8Array): { body: string; meta: HandoffMeta } {
  return parseFrontMatter(decoder.decode(bytes));
}

/**
 * A handoff's front matter alone, decoding only the bytes up to its closing fence: a store that
 * indexes the front matter of what it is given need not decode the body too. The same as
 * `decodeHandoff(bytes).meta`.
 */
export function decodeFrontMatter(bytes: Uint8Array): HandoffMeta {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Up to the end of the first line that starts with `---` after the opening one. A block that
  // closes within that prefix closes at the same place in the whole text (a line break never
  // occurs inside a UTF-8 sequence); otherwise the whole text is read, as `decodeHandoff` does.
  const fence = buffer.indexOf('\n---', 3);
  const lineEnd = fence < 0 ? -1 : buffer.indexOf(0x0a, fence + 4);
  if (lineEnd >= 0) {
    const head = decoder.decode(buffer.subarray(0, lineEnd + 1));
    const parsed = parseFrontMatter(head);
    if (parsed.body.length < head.length) return parsed.meta;
  }
  return decodeHandoff(bytes).meta;
}

/**
 * When a handoff was written: the `created` instant of its front matter, or, for a file written by
 * hand without one, its name's timestamp read in this machine's local time.
 */
export function instantOf(meta: HandoffMeta, name: Pick<HandoffName, 'stamp'>): Date {
  const created = meta[CREATED_KEY];
  if (typeof created === 'string') {
    const instant = parseInstant(created);
    if (instant !== undefined) return instant;
  }
  return parseStamp(name.stamp, 'local');
}

/**
 * Formats an instant as ISO 8601 with its UTC offset in the given clock:
 * `2026-11-01T01:15:00.000-05:00` (local) or `2026-11-01T06:15:00.000Z` (utc). The offset keeps the
 * instant exact across daylight-saving changes and zones, which a local timestamp alone does not.
 */
export function formatInstant(date: Date, timeZone: TimeZone): string {
  if (timeZone === 'utc') return date.toISOString();
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const pad = (value: number, width = 2) => String(Math.abs(value)).padStart(width, '0');
  return (
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

/** Parses an ISO 8601 instant that states its offset; `undefined` for anything else. */
export function parseInstant(text: string): Date | undefined {
  if (!ISO_INSTANT.test(text)) return undefined;
  const instant = new Date(text);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

/** Whether a handoff with this front matter belongs to `project` (unscoped ones belong to every project). */
export function inScope(meta: HandoffMeta, project: string | undefined): boolean {
  return project === undefined || typeof meta.project !== 'string' || resolve(meta.project) === project;
}
