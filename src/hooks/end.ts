import { hostname } from 'node:os';
import type { HandoffMeta } from '../handoff/front-matter.js';
import { AGENT_LABELS } from '../handoff/origin.js';
import type { HandoffRef, HandoffStore } from '../handoff/store.js';
import { detectProject } from '../project.js';
import { readTranscript } from '../traces/read.js';
import { copilotEventsPath } from '../traces/copilot-events.js';
import { renderTrace } from '../traces/render.js';
import type { SessionTrace } from '../traces/types.js';
import { detectHookAgent, readHookSession, type HookAgent, type HookInput, type HookSession } from './session.js';

/** Options of {@link sessionEndHook} and {@link preCompactHook}. */
export interface SessionEndHookOptions {
  store: HandoffStore;
  /** The agent running the hook; detected from the input and environment when absent. */
  agent?: HookAgent;
  /** The hook's environment (agent detection). Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The hook's working directory when the input names none. Default `process.cwd()`. */
  cwd?: string;
  /** Clock. Default `() => new Date()`. */
  now?: () => Date;
  /**
   * How the session's shell runs this CLI, besides `handoffs` (e.g. the path of `dist/cli.js` when
   * the hooks run it through node): a successful `… write` command of it in the transcript means the
   * session wrote its own handoff. The CLI passes its own script path.
   */
  cliPaths?: readonly string[];
}

/** What {@link sessionEndHook} did. */
export interface SessionEndResult {
  /**
   * `gave-back`: the session did no work (no model reply in its whole transcript), so what its
   * start claimed is pending again and nothing is written; `wrote-own`: it wrote a handoff itself;
   * `trace`: a handoff was written from its transcript (or a minimal one without it).
   */
  outcome: 'gave-back' | 'wrote-own' | 'trace';
  /** The handoff written, for `trace`. */
  written: HandoffRef | undefined;
  /** Pending names of the handoffs given back, for `gave-back`. */
  restored: string[];
}

/** How far back a session's own handoffs are looked for at its end. */
const OWN_HANDOFF_WINDOW_MS = 2 * 86_400_000;

/**
 * The session-end hook of any agent. A session that did no work gives back what its start
 * claimed and leaves nothing; a session that wrote its own handoff is done; any other leaves a
 * trace built from its transcript (the request, the files it changed, the commands it ran, its
 * last todos and message) so that no session's work goes unreported. Reads no model.
 */
export async function sessionEndHook(input: HookInput, options: SessionEndHookOptions): Promise<SessionEndResult> {
  const session = sessionOf(input, options);
  const trace = await transcriptOf(session);
  if (trace?.work === 'none' && session.sessionId !== undefined) {
    const { restored } = await options.store.restore({ session: session.sessionId });
    return { outcome: 'gave-back', written: undefined, restored: restored.map((entry) => entry.to) };
  }
  const now = options.now?.() ?? new Date();
  if (session.sessionId !== undefined && (await sessionWroteHandoff(options.store, session.sessionId, new Date(now.getTime() - OWN_HANDOFF_WINDOW_MS)))) {
    return { outcome: 'wrote-own', written: undefined, restored: [] };
  }
  // Some shells do not say which session runs them (Gemini CLI gives its hooks the session id, not
  // its shell), so the handoff the session wrote names no session: its transcript shows the write.
  if (trace !== undefined && ranHandoffsWrite(trace, options.cliPaths ?? [])) {
    return { outcome: 'wrote-own', written: undefined, restored: [] };
  }
  const written = await writeTrace(options.store, session, trace, 'session-end');
  return { outcome: 'trace', written, restored: [] };
}

/**
 * Claude Code's PreCompact hook: before the context is compacted, what the session did so far is
 * written as a handoff, so compaction loses nothing for later sessions. Writes nothing for a
 * session that did no work. Returns the handoff written.
 */
export async function preCompactHook(input: HookInput, options: SessionEndHookOptions): Promise<HandoffRef | undefined> {
  const session = sessionOf(input, options);
  const trace = await transcriptOf(session);
  if (trace?.work === 'none') return undefined;
  return writeTrace(options.store, session, trace, 'before-compact');
}

function sessionOf(input: HookInput, options: SessionEndHookOptions): HookSession {
  const env = options.env ?? process.env;
  const agent = options.agent ?? detectHookAgent(input, env);
  const session = readHookSession(input, agent, options.cwd ?? process.cwd());
  if (agent !== 'copilot' || session.transcriptPath !== undefined || session.sessionId === undefined) return session;
  // Copilot CLI's hooks get no transcript path, only the session id: its event log is found from it.
  try {
    return { ...session, transcriptPath: copilotEventsPath({ sessionId: session.sessionId, env }) };
  } catch {
    return session;
  }
}

async function transcriptOf(session: HookSession): Promise<SessionTrace | undefined> {
  if (session.transcriptPath === undefined) return undefined;
  return readTranscript(session.transcriptPath, { agent: session.agent });
}

/**
 * Whether the transcript shows a `handoffs write` (or `<cli path> write`) shell command that
 * succeeded. Only the last commands are kept in a trace; a write is usually among the last.
 */
export function ranHandoffsWrite(trace: SessionTrace, cliPaths: readonly string[]): boolean {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const names = ['handoffs', ...cliPaths.filter((path) => path !== '')].map(escape).join('|');
  // The command's name, any arguments (never across `;`, `&` or `|`), then `write`.
  const write = new RegExp(`(?:^|[\\s'"/(])(?:${names})['"]?(?:\\s+[^\\s;&|]+)*?\\s+write(?:\\s|$)`);
  return trace.commands.some((run) => run.status === 'ok' && write.test(run.command));
}

/**
 * Whether session `sessionId` wrote a handoff of its own (not an automatic trace, tagged `auto`)
 * since `since`, still pending, claimed or consumed.
 */
export async function sessionWroteHandoff(store: HandoffStore, sessionId: string, since: Date): Promise<boolean> {
  const recent = await store.contents({ consumed: true, since });
  return recent.some((handoff) => handoff.meta.sessionId === sessionId && !(Array.isArray(handoff.meta.tags) && handoff.meta.tags.includes('auto')));
}

async function writeTrace(store: HandoffStore, session: HookSession, trace: SessionTrace | undefined, kind: 'session-end' | 'before-compact'): Promise<HandoffRef> {
  const project = await detectProject(session.cwd);
  const agent = AGENT_LABELS[session.agent] ?? session.agent;
  const body =
    trace && trace.work !== 'unknown'
      ? renderTrace(trace, { title: `${kind === 'session-end' ? 'Ended' : 'Compacting'}: ${agent} session ${session.sessionId ?? '(no id)'} wrote no handoff; this is what its transcript shows.` })
      : minimalTrace(session, agent, trace, kind);
  const meta: HandoffMeta = { project: project.root, cwd: session.cwd, host: hostname(), agent: session.agent, tags: ['auto', kind] };
  if (session.sessionId !== undefined) meta.sessionId = session.sessionId;
  if (project.branch) meta.branch = project.branch;
  return store.write({ slug: kind, body, meta });
}

function minimalTrace(session: HookSession, agent: string, trace: SessionTrace | undefined, kind: string): string {
  const codes = trace?.issues.map((issue) => issue.code) ?? [];
  const why =
    session.transcriptPath === undefined
      ? 'it gives no transcript'
      : session.agent === 'copilot' && codes.includes('MISSING')
        ? // Seen with 1.0.102: the log appears once the hook has returned and Copilot shuts down.
          'Copilot CLI writes its event log only after its sessionEnd hook (read it at the path below once the session has closed)'
        : `its transcript could not be read fully (${codes.join(', ') || 'unknown'})`;
  const lines = [
    `${agent} session ${session.sessionId ?? '(no id)'} ${kind === 'session-end' ? `ended (${session.reason ?? 'unknown reason'})` : 'was compacted'} without writing a handoff; ${why}.`,
    '',
    `- Working directory: ${session.cwd}`,
    ...(session.transcriptPath ? [`- Transcript: ${session.transcriptPath}`] : []),
  ];
  if (trace && trace.work !== 'none') {
    const partial = trace.work === 'unknown' && (trace.request || trace.lastMessage) ? renderTrace(trace, { maxLines: 20, maxChars: 2000, title: 'What could be read:' }) : '';
    if (partial) lines.push('', partial.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}
