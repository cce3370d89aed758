import type { HandoffState } from '../types.js';

/**
 * A handoff's state as the git store writes it: the message of the commit a handoff's ref points
 * to. The commit's tree holds the handoff's bytes as `handoff.md`; every change of state is a new
 * commit with the same tree, so the bytes are sent once and each state change costs one small
 * object. Pure functions.
 *
 * ```
 * handoffs claimed
 *
 * version: 1
 * id: k3v9x0a1bq
 * unique: 0f7m2c9zpe
 * created: 1764072022000
 * project: "/work/app"
 * batch: 5d1e8c2a
 * holder: 4242-a1b2c3
 * lease-until: 1764072082000
 * lease-ms: 60000
 * ```
 */

/** A handoff's state record. */
export interface StateRecord {
  readonly state: HandoffState;
  /** The handoff's identity, the same in every state: how a publish in doubt is recognised later. */
  readonly id: string;
  /**
   * Fresh in every state object. Two callers that change the same handoff at once therefore never
   * write the same commit: git reports a push of the value a ref already has as "up to date"
   * before it checks the expected old value, so two identical commits could both look like wins.
   */
  readonly unique: string;
  /** When the handoff was written, ms since the epoch (orders remote handoffs without their bytes). */
  readonly createdAt: number;
  /** The project root it is scoped to; unscoped when absent. */
  readonly project?: string;
  /** The session that wrote it (front matter `sessionId`): that session is never handed it back. */
  readonly session?: string;
  /** `claimed` and `consumed`: the claiming session's batch. */
  readonly batch?: string;
  /** `claimed`: who holds it. */
  readonly holder?: { readonly pid: number; readonly host: string };
  /** `claimed`: when the lease ends, ms since the epoch. */
  readonly leaseUntil?: number;
  /** `claimed`: the lease's length, ms (the grace given to other machines' clocks derives from it). */
  readonly leaseMs?: number;
  /** `consumed`: when it was acknowledged, ms since the epoch. */
  readonly consumedAt?: number;
}

const VERSION = '1';
const TAG = /^[a-z0-9]{1,32}$/;
const BATCH = /^[a-z0-9]{1,16}$/;
const HOLDER = /^(\d{1,10})-([a-z0-9]{1,12})$/;
const STATES: readonly HandoffState[] = ['pending', 'claimed', 'consumed'];

/** The commit message recording `record`. */
export function formatRecord(record: StateRecord): string {
  const lines = [`handoffs ${record.state}`, '', `version: ${VERSION}`, `id: ${record.id}`, `unique: ${record.unique}`];
  lines.push(`created: ${Math.trunc(record.createdAt)}`);
  if (record.project !== undefined) lines.push(`project: ${JSON.stringify(record.project)}`);
  if (record.session !== undefined) lines.push(`session: ${JSON.stringify(record.session)}`);
  if (record.batch !== undefined) lines.push(`batch: ${record.batch}`);
  if (record.holder !== undefined) lines.push(`holder: ${record.holder.pid}-${record.holder.host}`);
  if (record.leaseUntil !== undefined) lines.push(`lease-until: ${Math.trunc(record.leaseUntil)}`);
  if (record.leaseMs !== undefined) lines.push(`lease-ms: ${Math.trunc(record.leaseMs)}`);
  if (record.consumedAt !== undefined) lines.push(`consumed-at: ${Math.trunc(record.consumedAt)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Reads a record back, or returns `undefined` for any message this version did not write in full:
 * a foreign or damaged ref is never mistaken for a handoff, and so is never claimed or deleted.
 */
export function parseRecord(message: string): StateRecord | undefined {
  const [head, blank, ...body] = message.split('\n');
  const state = /^handoffs (pending|claimed|consumed)$/.exec(head ?? '')?.[1] as HandoffState | undefined;
  if (!state || !STATES.includes(state) || blank !== '') return undefined;
  const fields = new Map<string, string>();
  for (const line of body) {
    if (line === '') continue;
    const colon = line.indexOf(': ');
    if (colon <= 0) return undefined;
    fields.set(line.slice(0, colon), line.slice(colon + 2));
  }
  if (fields.get('version') !== VERSION) return undefined;
  const id = fields.get('id');
  const unique = fields.get('unique');
  const createdAt = whole(fields.get('created'));
  if (!id || !TAG.test(id) || !unique || !TAG.test(unique) || createdAt === undefined) return undefined;
  const project = jsonString(fields.get('project'));
  const session = jsonString(fields.get('session'));
  if (project === null || session === null) return undefined;
  const batch = fields.get('batch');
  if (batch !== undefined && !BATCH.test(batch)) return undefined;
  const record: { -readonly [K in keyof StateRecord]: StateRecord[K] } = { state, id, unique, createdAt };
  if (project !== undefined) record.project = project;
  if (session !== undefined) record.session = session;
  if (batch !== undefined) record.batch = batch;
  if (state === 'claimed') {
    const holder = HOLDER.exec(fields.get('holder') ?? '');
    const leaseUntil = whole(fields.get('lease-until'));
    if (!holder || leaseUntil === undefined || batch === undefined) return undefined;
    record.holder = { pid: Number(holder[1]), host: holder[2]! };
    record.leaseUntil = leaseUntil;
    const leaseMs = whole(fields.get('lease-ms'));
    if (leaseMs !== undefined) record.leaseMs = leaseMs;
  }
  if (state === 'consumed') {
    const consumedAt = whole(fields.get('consumed-at'));
    if (consumedAt === undefined) return undefined;
    record.consumedAt = consumedAt;
  }
  return record;
}

/** A JSON-quoted string field: its value, `undefined` when absent, `null` when malformed. */
function jsonString(text: string | undefined): string | undefined | null {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

function whole(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,16}$/.test(text)) return undefined;
  return Number(text);
}
