import type { HandoffMeta } from '../handoff/front-matter.js';
import { AGENT_LABELS } from '../handoff/origin.js';
import type { SkippedHandoff } from '../handoff/store.js';

/**
 * The text the plugin adds to a session's first message: an intro line naming where the handoffs
 * came from (each one's front matter `agent` and `sessionId`), then the merged handoffs. Pure.
 */

/** Sources named in the intro before the rest are counted instead. */
const MAX_SOURCES_NAMED = 5;

/** What {@link handoffContext} needs of a claim. */
export interface ClaimedText {
  readonly handoffs: ReadonlyArray<{ readonly meta: HandoffMeta; readonly redelivered: boolean }>;
  readonly merged: string;
  readonly skipped: readonly SkippedHandoff[];
}

/** Where the full texts stay, for the intro. */
export interface StoreFacts {
  readonly location: string;
  readonly retentionDays: number;
}

/**
 * Who wrote a handoff, as its front matter says: `Claude Code session 4f1c…` (the id in full),
 * `a Codex session` (no id), `session 4f1c…` (no agent), or `undefined` when it says neither.
 */
export function describeSource(meta: HandoffMeta): string | undefined {
  const agent = typeof meta.agent === 'string' && meta.agent !== '' ? (AGENT_LABELS[meta.agent] ?? meta.agent) : undefined;
  const session = typeof meta.sessionId === 'string' && meta.sessionId !== '' ? meta.sessionId : undefined;
  if (agent !== undefined && session !== undefined) return `${agent} session ${session}`;
  if (agent !== undefined) return `${/^an? /.test(agent) ? agent : `${/^[aeiou]/i.test(agent) ? 'an' : 'a'} ${agent}`} session`;
  if (session !== undefined) return `session ${session}`;
  return undefined;
}

/**
 * The sources of some handoffs, oldest first, each named once with how many handoffs it wrote when
 * more than one: `Claude Code session a1 (2 handoffs), Codex session b2`. Handoffs that name no
 * source are counted last; past {@link MAX_SOURCES_NAMED} sources the rest are counted.
 */
export function describeSources(metas: readonly HandoffMeta[]): string {
  const counts = new Map<string, number>();
  let unnamed = 0;
  for (const meta of metas) {
    const source = describeSource(meta);
    if (source === undefined) unnamed += 1;
    else counts.set(source, (counts.get(source) ?? 0) + 1);
  }
  const named = [...counts].map(([source, count]) => (count > 1 ? `${source} (${count} handoffs)` : source));
  const parts = named.slice(0, MAX_SOURCES_NAMED);
  if (named.length > MAX_SOURCES_NAMED) parts.push(`${named.length - MAX_SOURCES_NAMED} more session${named.length - MAX_SOURCES_NAMED === 1 ? '' : 's'}`);
  if (unnamed > 0) parts.push(`${unnamed === 1 ? 'one handoff' : `${unnamed} handoffs`} naming no session`);
  return parts.join(', ');
}

/**
 * The whole text for a session: intro, merged handoffs, then a note for pending handoffs that could
 * not be read. `undefined` when there is nothing to say.
 */
export function handoffContext(claim: ClaimedText, store: StoreFacts): string | undefined {
  const notes = unreadableNote(claim.skipped);
  const count = claim.handoffs.length;
  if (count === 0) return notes;
  const again = claim.handoffs.filter((handoff) => handoff.redelivered).length;
  const intro =
    `Handoffs from earlier sessions of this project (${count}, oldest first), from ${describeSources(claim.handoffs.map((handoff) => handoff.meta))}` +
    `${again > 0 ? `; ${again} of them had been handed to a session that ended before using ${again === 1 ? 'it' : 'them'}` : ''}. ` +
    `They are marked consumed; full texts stay in ${store.location} for ${store.retentionDays} days.`;
  return [intro, '', claim.merged.trimEnd(), ...(notes === undefined ? [] : ['', notes])].join('\n');
}

/** The one line that says the store could not be used, in place of the handoffs. */
export function failureNote(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `handoffs: could not load handoffs from earlier sessions (${message}). Run \`handoffs start\` to retry.`;
}

function unreadableNote(skipped: readonly SkippedHandoff[]): string | undefined {
  const unreadable = skipped.filter((skip) => skip.reason === 'unreadable');
  if (unreadable.length === 0) return undefined;
  const names = unreadable.map((skip) => `${skip.name} (${skip.code ?? 'error'})`);
  return `handoffs: ${unreadable.length} pending handoff(s) could not be read and were left for later: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}.`;
}
