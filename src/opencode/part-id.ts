import { randomInt } from 'node:crypto';

/**
 * OpenCode's part ids, as its `Identifier.ascending("part")` makes them (1.18.33): `prt_`, 12 hex
 * digits of `ms * 4096 + counter` (the low 48 bits), then 14 base-62 characters. OpenCode orders a
 * message's parts by id, so the handoffs part gets an id of this form placed after every part the
 * message already has: it reads after the user's own words.
 */

const PREFIX = 'prt_';
const TIME_DIGITS = 12;
const RANDOM_LENGTH = 14;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TIME_MASK = (1n << 48n) - 1n;

/**
 * A new part id that sorts after `existing` (ids of this form; others are ignored) and is at least
 * as late as `now`. Pure but for the random tail.
 */
export function partIdAfter(existing: readonly string[], now: Date): string {
  let value = (BigInt(now.getTime()) * 4096n) & TIME_MASK;
  for (const id of existing) {
    const time = timeOf(id);
    if (time !== undefined && time >= value) value = time + 1n;
  }
  let tail = '';
  for (let index = 0; index < RANDOM_LENGTH; index += 1) tail += BASE62[randomInt(62)];
  return `${PREFIX}${(value & TIME_MASK).toString(16).padStart(TIME_DIGITS, '0')}${tail}`;
}

/** The time field of an OpenCode part id, or `undefined` for an id of another form. */
function timeOf(id: string): bigint | undefined {
  const digits = id.startsWith(PREFIX) ? id.slice(PREFIX.length, PREFIX.length + TIME_DIGITS) : '';
  return /^[0-9a-f]{12}$/.test(digits) ? BigInt(`0x${digits}`) : undefined;
}
