import { appendFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { errorCode } from '../errors.js';
import type { HandoffMeta } from '../handoff/front-matter.js';
import type { MergeBudget } from '../handoff/merge.js';
import type { HandoffRef, HandoffStore } from '../handoff/store.js';
import { detectProject } from '../project.js';

/**
 * Claude Code hook handlers. Field names follow Claude Code's hooks reference
 * (https://code.claude.com/docs/en/hooks): every hook gets one JSON object on stdin with
 * `session_id`, `transcript_path`, `cwd`, `permission_mode` and `hook_event_name`; SessionStart
 * adds `source` (`startup`, `resume`, `clear`, `compact`) and SessionEnd adds `reason` (`clear`,
 * `logout`, `prompt_input_exit`, `bypass_permissions_disabled`, `other`). A SessionStart hook
 * injects context by printing `{ hookSpecificOutput: { hookEventName: 'SessionStart',
 * additionalContext } }`, and may append `export` lines to the file named by `CLAUDE_ENV_FILE`.
 */

/** The JSON Claude Code sends a hook on stdin; every field may be missing. */
export interface HookInput {
  session_id?: string;
  transcript_path?: string;
  cwd?: string;
  permission_mode?: string;
  hook_event_name?: string;
  /** SessionStart: why the session started. */
  source?: string;
  /** SessionEnd: why the session ended. */
  reason?: string;
  [field: string]: unknown;
}

/** What a SessionStart hook prints: `{}` when there is nothing to inject. */
export interface SessionStartOutput {
  hookSpecificOutput?: { hookEventName: 'SessionStart'; additionalContext: string };
}

/** The environment variable through which `handoffs write` learns the current session id. */
export const SESSION_ENV = 'HANDOFFS_SESSION_ID';

/**
 * Parses a hook's stdin. Empty input is `{}`; anything that is not a JSON object is `{}` as well,
 * because a hook must work even when it is run by hand.
 */
export function parseHookInput(text: string): HookInput {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as HookInput) : {};
  } catch {
    return {};
  }
}

/** Options of {@link sessionStartHook}. */
export interface SessionStartHookOptions extends MergeBudget {
  store: HandoffStore;
  /** Consume every project's handoffs, not only those of the session's project. */
  allProjects?: boolean;
  /** The `CLAUDE_ENV_FILE` path, to export the session id to the session's shell commands. */
  envFile?: string;
}

/**
 * Runs the session-start block for a Claude Code session and returns the JSON to print. It never
 * throws: any failure becomes a one-line warning in the injected context, so a broken handoffs
 * directory can never stop a session from starting.
 */
export async function sessionStartHook(input: HookInput, options: SessionStartHookOptions): Promise<SessionStartOutput> {
  try {
    const cwd = typeof input.cwd === 'string' && input.cwd !== '' ? input.cwd : process.cwd();
    const project = options.allProjects ? undefined : (await detectProject(cwd)).root;
    if (options.envFile && typeof input.session_id === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(input.session_id)) {
      await appendFile(options.envFile, `export ${SESSION_ENV}=${input.session_id}\n`);
    }
    const { handoffs, merged } = await options.store.start({ project, maxLines: options.maxLines, maxChars: options.maxChars });
    if (handoffs.length === 0) return {};
    const intro =
      `Handoffs from ${handoffs.length} earlier session${handoffs.length === 1 ? '' : 's'}` +
      ` (now marked consumed; full texts stay in ${options.store.dir} for ${options.store.retentionDays} days):\n\n`;
    return context(intro + merged);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return context(`handoffs: could not load handoffs from earlier sessions (${message}). Run \`handoffs start\` to retry.`);
  }
}

/** What {@link sessionEndHook} did. */
export interface SessionEndResult {
  /** The handoff written for the session, or `undefined` when it had written its own. */
  written: HandoffRef | undefined;
}

/**
 * Runs at SessionEnd: when the session wrote no handoff of its own (none carries its session id),
 * writes a minimal one recording the session id, working directory, end reason and transcript
 * path, so that no session ends without a trace.
 */
export async function sessionEndHook(input: HookInput, options: { store: HandoffStore }): Promise<SessionEndResult> {
  const { store } = options;
  const sessionId = typeof input.session_id === 'string' ? input.session_id : undefined;
  if (sessionId !== undefined && (await wroteHandoff(store, sessionId))) return { written: undefined };
  const cwd = typeof input.cwd === 'string' && input.cwd !== '' ? input.cwd : process.cwd();
  const project = await detectProject(cwd);
  const reason = typeof input.reason === 'string' ? input.reason : 'unknown';
  const lines = [
    `Session ${sessionId ?? '(no id)'} ended (${reason}) without writing a handoff.`,
    '',
    `- Working directory: ${cwd}`,
    ...(typeof input.transcript_path === 'string' ? [`- Transcript: ${input.transcript_path}`] : []),
    ...(project.branch ? [`- Branch: ${project.branch}`] : []),
    '',
    'Read the transcript for what was done; nothing else was recorded.',
  ];
  const meta: HandoffMeta = { project: project.root, cwd, host: hostname(), tags: ['auto'] };
  if (sessionId !== undefined) meta.sessionId = sessionId;
  if (project.branch) meta.branch = project.branch;
  const written = await store.write({ slug: 'session-end', body: `${lines.join('\n')}\n`, meta });
  return { written };
}

async function wroteHandoff(store: HandoffStore, sessionId: string): Promise<boolean> {
  for (const ref of (await store.list({ consumed: true })).reverse()) {
    try {
      if ((await store.read(ref.name)).meta.sessionId === sessionId) return true;
    } catch (error) {
      // Consumed and cleaned up meanwhile, or unreadable: not this session's.
      if (errorCode(error) !== 'NOT_FOUND' && errorCode(error) !== 'IO') throw error;
    }
  }
  return false;
}

function context(additionalContext: string): SessionStartOutput {
  return { hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext } };
}
