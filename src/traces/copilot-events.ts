import { homedir } from 'node:os';
import { join } from 'node:path';
import { TraceError } from './errors.js';

/** Options of {@link copilotEventsPath}. */
export interface CopilotEventsPathOptions {
  /** The session's id, as Copilot CLI's hooks get it (`sessionId` on stdin). */
  readonly sessionId: string;
  /** Copilot's folder. Default: `$COPILOT_HOME` from `env`, else `~/.copilot`. */
  readonly configDir?: string;
  /** The environment to read `COPILOT_HOME` from. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** The home folder. Default `os.homedir()`. */
  readonly home?: string;
}

/**
 * Where Copilot CLI keeps a session's event log: `<folder>/session-state/<sessionId>/events.jsonl`,
 * the folder being `configDir`, else `$COPILOT_HOME`, else `~/.copilot`. Copilot's hooks get no
 * transcript path, only the session id; this is the transcript to read for them. Pure: it does
 * not check that the file exists (`readTranscript` reports a missing one as `MISSING`).
 *
 * Seen with Copilot CLI 1.0.102: with `COPILOT_HOME` set, the log is written under it and nothing
 * under `~/.copilot/session-state`. Releases before the move to `~/.copilot` kept session state
 * under `$XDG_STATE_HOME/.copilot`; 1.0.102 moves it on start.
 *
 * Throws `TraceError` (`INVALID_OPTION`) for a session id that is not one plain path segment, so no
 * id can reach outside the folder.
 */
export function copilotEventsPath(options: CopilotEventsPathOptions): string {
  const { sessionId } = options;
  if (typeof sessionId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(sessionId) || sessionId.includes('..')) {
    throw new TraceError('INVALID_OPTION', 'sessionId must be one path segment of letters, digits, dots, dashes and underscores');
  }
  const env = options.env ?? process.env;
  const folder = options.configDir || env.COPILOT_HOME || join(options.home ?? homedir(), '.copilot');
  return join(folder, 'session-state', sessionId, 'events.jsonl');
}
