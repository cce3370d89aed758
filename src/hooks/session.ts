/**
 * What each agent tells a session hook, and what it takes back. Observed with the real clients
 * (test/fixtures/hook-input/, ../shared/REAL-CLIENTS.md, the e2e suites):
 *
 * | agent | stdin | session id | transcript | injects |
 * | --- | --- | --- | --- | --- |
 * | claude | snake_case | `session_id` | `transcript_path` | `hookSpecificOutput.additionalContext` |
 * | codex | snake_case, with `model`, `permission_mode` | `session_id` | `transcript_path` (rollout) | `hookSpecificOutput.additionalContext` |
 * | gemini | snake_case, with `timestamp` | `session_id`; env `GEMINI_SESSION_ID` | `transcript_path` | `hookSpecificOutput.additionalContext` |
 * | copilot | camelCase; env `COPILOT_CLI=1` | `sessionId` | none (`~/.copilot/session-state/<id>/events.jsonl`) | top-level `additionalContext` |
 *
 * Pure functions.
 */

/** The agents whose session hooks the CLI serves. */
export const HOOK_AGENTS = ['claude', 'codex', 'gemini', 'copilot'] as const;

/** One of {@link HOOK_AGENTS}. */
export type HookAgent = (typeof HOOK_AGENTS)[number];

/** A hook's JSON stdin, as any agent sends it; every field may be missing. */
export interface HookInput {
  [field: string]: unknown;
}

/** What a hook needs to know about its session, whatever the agent. */
export interface HookSession {
  readonly agent: HookAgent;
  readonly sessionId: string | undefined;
  /** The session's working directory. */
  readonly cwd: string;
  readonly transcriptPath: string | undefined;
  /** SessionStart: `startup`, `resume`, `clear`, `compact` (Copilot: `new`). */
  readonly source: string | undefined;
  /** SessionEnd: why it ended. */
  readonly reason: string | undefined;
}

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

/**
 * Which agent runs the hook: `explicit` when given (`--agent`), else from the input and the
 * environment. Copilot and Gemini also set `CLAUDE_PROJECT_DIR`, so it says nothing.
 */
export function detectHookAgent(input: HookInput, env: Readonly<Record<string, string | undefined>>, explicit?: string): HookAgent {
  if (explicit !== undefined && (HOOK_AGENTS as readonly string[]).includes(explicit)) return explicit as HookAgent;
  if (env.COPILOT_CLI === '1' || (typeof input.sessionId === 'string' && input.session_id === undefined)) return 'copilot';
  if (env.GEMINI_SESSION_ID !== undefined || typeof input.timestamp === 'string') return 'gemini';
  const transcript = typeof input.transcript_path === 'string' ? input.transcript_path : '';
  if (/[\\/]\.codex[\\/]sessions[\\/]/.test(transcript) || (typeof input.model === 'string' && typeof input.permission_mode === 'string')) return 'codex';
  return 'claude';
}

/** The session a hook's input describes, for `agent`. `cwd` falls back to the hook's own. */
export function readHookSession(input: HookInput, agent: HookAgent, fallbackCwd: string): HookSession {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    agent,
    sessionId: text(agent === 'copilot' ? input.sessionId : input.session_id),
    cwd: text(input.cwd) ?? fallbackCwd,
    transcriptPath: text(input.transcript_path),
    source: text(input.source),
    reason: text(input.reason),
  };
}

/** The JSON a SessionStart hook prints for `agent`: the context to inject, or `{}` for none. */
export function sessionStartOutput(agent: HookAgent, additionalContext: string | undefined): Record<string, unknown> {
  if (additionalContext === undefined || additionalContext === '') return {};
  // Copilot reads a top-level field and ignores hookSpecificOutput; the others the reverse.
  if (agent === 'copilot') return { additionalContext };
  return { hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext } };
}
