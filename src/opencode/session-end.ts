import { hostname } from 'node:os';
import { sessionWroteHandoff } from '../hooks/end.js';
import type { HandoffMeta } from '../handoff/front-matter.js';
import type { HandoffRef, HandoffStore } from '../handoff/store.js';
import { detectProject } from '../project.js';
import type { ActivityFacts } from './activity.js';

/**
 * What the plugin leaves when an OpenCode session ends. OpenCode has no session-end event
 * (`opencode run` ends with `session.idle`, which fires whenever a turn ends, so in the TUI after
 * every turn), so the end is when OpenCode disposes the plugin: right after the last `session.idle`
 * of `opencode run`, awaited before the process exits (seen with 1.18.33); OpenCode also disposes
 * plugins when the TUI or a server shuts its instance down (not tested here). A process killed
 * before that leaves nothing, and its claims to their lease.
 */

/** The tags of a trace, as the hooks of the other agents tag theirs. */
export const TRACE_TAGS = ['auto', 'session-end'] as const;

/** How far back, from the session's start, its own handoffs are looked for. */
const OWN_HANDOFF_SLACK_MS = 60_000;

/** One ended session. */
export interface EndedSession {
  readonly sessionId: string;
  /** The session's directory (`info.directory` of `session.created`). */
  readonly directory: string;
  /** When it was created, in ms. */
  readonly createdAt: number;
  /** Handoffs it received and acknowledged. */
  readonly received: number;
  readonly activity: ActivityFacts;
}

/** What {@link endSession} did, as the other agents' end hooks say it. */
export type SessionEndOutcome =
  /** No model reply: what it received is pending again, nothing written. */
  | 'gave-back'
  /** No model reply and nothing received: nothing to do. */
  | 'nothing'
  /** It wrote a handoff itself. */
  | 'wrote-own'
  /** A trace was written. */
  | 'trace'
  /** It did work and wrote none, and traces are off. */
  | 'untraced';

/**
 * Ends one session: a session with no model reply gives back what it received (as a session that
 * failed before its first reply should); one that wrote a handoff itself (front matter `sessionId`
 * is its id, which the plugin gives `handoffs write` in its shell as `HANDOFFS_SESSION_ID`) is done;
 * any other gets a minimal trace, unless `trace` is false.
 *
 * @throws HandoffError `IO` when the store fails; the plugin reports nothing and goes on.
 */
export async function endSession(store: HandoffStore, session: EndedSession, options: { trace: boolean }): Promise<SessionEndOutcome> {
  if (session.activity.replies === 0) {
    if (session.received === 0) return 'nothing';
    await store.restore({ session: session.sessionId });
    return 'gave-back';
  }
  if (await sessionWroteHandoff(store, session.sessionId, new Date(session.createdAt - OWN_HANDOFF_SLACK_MS))) return 'wrote-own';
  if (!options.trace) return 'untraced';
  await writeTrace(store, session);
  return 'trace';
}

/** Writes the minimal trace of a session that did work and wrote no handoff. */
export async function writeTrace(store: HandoffStore, session: EndedSession): Promise<HandoffRef> {
  const project = await detectProject(session.directory);
  const meta: HandoffMeta = {
    project: project.root,
    cwd: session.directory,
    host: hostname(),
    agent: 'opencode',
    sessionId: session.sessionId,
    tags: [...TRACE_TAGS],
  };
  if (project.branch) meta.branch = project.branch;
  return store.write({ slug: 'session-end', body: traceText(session, project.branch), meta });
}

/** The trace's text: what the plugin saw, and where the whole session is. Pure. */
export function traceText(session: EndedSession, branch?: string): string {
  const { activity } = session;
  const lines = [
    `OpenCode session ${session.sessionId} ended without writing a handoff; this is what the handoffs plugin saw.`,
    '',
    `- Working directory: ${session.directory}`,
    ...(branch ? [`- Branch: ${branch}`] : []),
    `- Model replies: ${activity.replies}`,
  ];
  if (activity.fileCount > 0) {
    const more = activity.fileCount - activity.files.length;
    lines.push(`- Files changed (${activity.fileCount}): ${activity.files.join(', ')}${more > 0 ? `, and ${more} more` : ''}`);
  }
  if (activity.lastError !== undefined) lines.push(`- Last request failed: ${oneLine(activity.lastError)}`);
  if (activity.request !== undefined) lines.push('', 'Request:', '', quote(activity.request));
  if (activity.lastMessage !== undefined) lines.push('', 'Last reply:', '', quote(activity.lastMessage));
  lines.push('', `The whole session: \`opencode export ${session.sessionId}\` in ${session.directory}.`);
  return `${lines.join('\n')}\n`;
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`.trimEnd())
    .join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
