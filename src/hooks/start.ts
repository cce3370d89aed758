import { appendFile } from 'node:fs/promises';
import type { MergeBudget } from '../handoff/merge.js';
import type { HandoffStore } from '../handoff/store.js';
import { detectProject } from '../project.js';
import { detectHookAgent, readHookSession, sessionStartOutput, type HookAgent, type HookInput } from './session.js';

/** The environment variable through which `handoffs write` learns the current session id. */
export const SESSION_ENV = 'HANDOFFS_SESSION_ID';

/** Options of {@link sessionStartHook}. */
export interface SessionStartHookOptions extends Omit<MergeBudget, 'timeZone'> {
  store: HandoffStore;
  /** The agent running the hook; detected from the input and environment when absent. */
  agent?: HookAgent;
  /** Claim every project's handoffs, not only those of the session's project. */
  allProjects?: boolean;
  /** Claude Code's `CLAUDE_ENV_FILE`, to export the session id to the session's shell commands. */
  envFile?: string;
  /** The hook's environment (agent detection). Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The hook's working directory when the input names none. Default `process.cwd()`. */
  cwd?: string;
}

/** What {@link sessionStartHook} returns: the JSON to print, then what to call once it is printed. */
export interface SessionStartHookResult {
  /** Print this as the hook's stdout (one JSON object). */
  output: Record<string, unknown>;
  /** How many handoffs the context carries. */
  handed: number;
  /**
   * Acknowledges the claimed handoffs: call it once `output` is written. A hook killed before that
   * (an agent's hook timeout) leaves them claimed by a dead process, and the next session gets them.
   * Never rejects.
   */
  acknowledge(): Promise<void>;
}

/**
 * The session-start hook of any agent: claims the session's project handoffs under a lease, and
 * returns the context to inject, in the agent's own output shape. It never throws: any failure
 * becomes a one-line note in the context, so a broken store can never stop a session from starting.
 */
export async function sessionStartHook(input: HookInput, options: SessionStartHookOptions): Promise<SessionStartHookResult> {
  const env = options.env ?? process.env;
  const agent = options.agent ?? detectHookAgent(input, env);
  const nothing = async (): Promise<void> => {};
  try {
    const session = readHookSession(input, agent, options.cwd ?? process.cwd());
    const project = options.allProjects ? undefined : (await detectProject(session.cwd)).root;
    if (options.envFile && session.sessionId && /^[A-Za-z0-9_-]{1,128}$/.test(session.sessionId)) {
      await appendFile(options.envFile, `export ${SESSION_ENV}=${session.sessionId}\n`);
    }
    const claim = await options.store.claim({ project, session: session.sessionId, maxLines: options.maxLines, maxChars: options.maxChars });
    const unreadable = claim.skipped.filter((skip) => skip.reason === 'unreadable');
    const notes: string[] = [];
    if (unreadable.length > 0) {
      const names = unreadable.map((skip) => `${skip.name} (${skip.code ?? 'error'})`);
      notes.push(`handoffs: ${unreadable.length} pending handoff(s) could not be read and were left for later: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}.`);
    }
    if (claim.handoffs.length === 0) {
      await claim.acknowledge().catch(() => {});
      return { output: sessionStartOutput(agent, notes.join('\n') || undefined), handed: 0, acknowledge: nothing };
    }
    const count = claim.handoffs.length;
    const again = claim.handoffs.filter((handoff) => handoff.redelivered).length;
    const intro =
      `Handoffs from ${count} earlier session${count === 1 ? '' : 's'} of this project, oldest first` +
      `${again > 0 ? ` (${again} handed to a session that ended before using ${again === 1 ? 'it' : 'them'})` : ''}. ` +
      `They are marked consumed; full texts stay in ${options.store.location} for ${options.store.retentionDays} days.`;
    const context = [intro, '', claim.merged.trimEnd(), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
    return {
      output: sessionStartOutput(agent, context),
      handed: count,
      acknowledge: async () => {
        await claim.acknowledge().catch(() => {});
      },
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const note = `handoffs: could not load handoffs from earlier sessions (${message}). Run \`handoffs start\` to retry.`;
    return { output: sessionStartOutput(agent, note), handed: 0, acknowledge: nothing };
  }
}
