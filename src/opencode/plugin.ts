import { SESSION_ENV } from '../hooks/start.js';
import type { HandoffStore } from '../handoff/store.js';
import { detectProject } from '../project.js';
import { SessionActivity } from './activity.js';
import { HandoffDelivery } from './delivery.js';
import { DEFAULT_MAX_LINES, openPluginStore, readPluginOptions, type HandoffsPluginOptions } from './options.js';
import { partIdAfter } from './part-id.js';
import { endSession } from './session-end.js';
import type { OpencodeEvent, OpencodeHooks, OpencodePluginInput } from './types.js';

/** How long OpenCode's shutdown may wait for the plugin to give claims back and write traces. */
const DISPOSE_DEADLINE_MS = 10_000;

/** A session the plugin saw created. */
interface TrackedSession {
  readonly id: string;
  /** The session it runs under (a subagent's task), or undefined for a session of its own. */
  readonly parentId: string | undefined;
  readonly directory: string;
  readonly createdAt: number;
  /** Only sessions of their own get handoffs and leave traces; a subagent's work is its parent's. */
  readonly delivery: HandoffDelivery | undefined;
  readonly activity: SessionActivity;
  /** The id of the part the handoffs went into, once they did. */
  partId?: string;
}

/**
 * The handoffs plugin for OpenCode: OpenCode calls it with its plugin input (and the options of a
 * `["…", { … }]` entry of its `plugin` list, if any) and runs the hooks it returns, in its own
 * process. Everything happens in process through the library; nothing is spawned.
 *
 * - `session.created` (a session of its own, not a subagent's): claims the pending handoffs of the
 *   project (the git root of the session's directory) and of no project, for this session.
 * - the session's first `chat.message`: adds one text part to the user's message: an intro naming
 *   the sessions and agents the handoffs came from, then their merged text (200 lines at most by
 *   default). OpenCode saves it with the message (marked synthetic) and sends it in every request of
 *   the session, after the user's own words. Once the saved part is seen (`message.part.updated`) or
 *   the session's first model request starts (`chat.params`), the claim is acknowledged: the
 *   handoffs are consumed.
 * - `session.idle`: a claim whose text never reached a saved message goes back to pending.
 * - `session.deleted`: the same, and the session is forgotten (no trace).
 * - the `bash` tool's environment (`shell.env`) gets `HANDOFFS_SESSION_ID`, so a `handoffs write`
 *   the agent runs records the session.
 * - shutdown (`dispose`): claims still held go back; each session that had a model reply and wrote
 *   no handoff gets a minimal trace (agent `opencode`, its id, directory, project, request, files
 *   changed, last reply); a session with no model reply gives back what it received.
 *
 * The store is `HANDOFFS_STORE` or `HANDOFFS_DIR` (default `~/.claude/handoffs`), as for the CLI.
 * Nothing here throws into OpenCode: a failing store becomes a one-line note in the text, or
 * nothing.
 *
 * @example
 * ```js
 * // ~/.config/opencode/plugins/handoffs.js (what `handoffs init --agent opencode` writes)
 * export { HandoffsPlugin } from 'handoffs/opencode';
 * ```
 */
export async function HandoffsPlugin(input: OpencodePluginInput, options?: HandoffsPluginOptions): Promise<OpencodeHooks> {
  const settings = readPluginOptions(options);
  const now = settings.now ?? (() => new Date());
  const fallbackDirectory = typeof input?.directory === 'string' && input.directory !== '' ? input.directory : process.cwd();
  const sessions = new Map<string, TrackedSession>();

  let opened: Promise<HandoffStore> | undefined;
  const store = (): Promise<HandoffStore> => (opened ??= new Promise((resolve) => resolve(openPluginStore(settings))));
  const budget = { maxLines: lineBudget(settings.maxLines), maxChars: positiveOr(settings.maxChars, undefined) };

  const track = (info: Record<string, unknown>): void => {
    const id = info.id;
    if (typeof id !== 'string' || id === '' || sessions.has(id)) return;
    const parentId = typeof info.parentID === 'string' && info.parentID !== '' ? info.parentID : undefined;
    const directory = typeof info.directory === 'string' && info.directory !== '' ? info.directory : fallbackDirectory;
    const time = info.time as { created?: unknown } | undefined;
    const createdAt = typeof time?.created === 'number' ? time.created : now().getTime();
    const delivery =
      parentId === undefined
        ? new HandoffDelivery({
            store,
            claimOptions: async () => ({ project: (await detectProject(directory)).root, session: id, ...budget }),
            now,
          })
        : undefined;
    sessions.set(id, { id, parentId, directory, createdAt, delivery, activity: new SessionActivity() });
    // Registered above before anything is awaited: OpenCode publishes `session.created` (and so
    // calls this) before it runs the session's first `chat.message`, which must find it.
    void delivery?.start();
  };

  const onEvent = (event: OpencodeEvent): void => {
    const properties = (event.properties ?? {}) as Record<string, unknown>;
    if (event.type === 'session.created') {
      track((properties.info ?? {}) as Record<string, unknown>);
      return;
    }
    const session = typeof properties.sessionID === 'string' ? sessions.get(properties.sessionID) : undefined;
    if (session === undefined) return;
    session.activity.observe(event);
    if (event.type === 'message.part.updated' && session.partId !== undefined) {
      const part = (properties.part ?? {}) as Record<string, unknown>;
      if (part.id === session.partId) void session.delivery?.confirm();
    } else if (event.type === 'session.idle') {
      void session.delivery?.settle();
    } else if (event.type === 'session.deleted') {
      // Gone from OpenCode: what it holds goes back, and it ends without a trace.
      sessions.delete(session.id);
      void session.delivery?.settle();
    }
  };

  return {
    async event({ event }) {
      try {
        onEvent(event);
      } catch {
        // An event of a shape this version does not know: nothing to do with it.
      }
    },

    async 'chat.message'(hookInput, output) {
      try {
        const session = sessions.get(hookInput.sessionID);
        if (session === undefined) return;
        session.activity.noteRequest(output.parts);
        const text = await session.delivery?.take();
        if (text === undefined) return;
        const partId = partIdAfter(
          output.parts.map((part) => part.id),
          now(),
        );
        output.parts.push({ id: partId, sessionID: output.message.sessionID, messageID: output.message.id, type: 'text', text, synthetic: true });
        session.partId = partId;
        session.delivery?.sent();
      } catch {
        // Never fail the user's message: without the part, the claim goes back at idle.
      }
    },

    async 'chat.params'(hookInput) {
      try {
        // A model request of the session is built from its saved messages: the part is saved.
        const session = sessions.get(hookInput.sessionID);
        if (session?.partId !== undefined) await session.delivery?.confirm();
      } catch {
        // Acknowledged later or by the lease; never fail a model request.
      }
    },

    async 'shell.env'(hookInput, output) {
      try {
        const root = rootSession(sessions, hookInput.sessionID);
        if (root !== undefined && /^[A-Za-z0-9_-]{1,128}$/.test(root)) output.env[SESSION_ENV] = root;
      } catch {
        // The command runs without it; its handoff then names no session.
      }
    },

    async dispose() {
      const work = (async () => {
        for (const session of sessions.values()) {
          if (session.delivery === undefined) continue;
          await session.delivery.settle();
          try {
            await endSession(
              await store(),
              { sessionId: session.id, directory: session.directory, createdAt: session.createdAt, received: session.delivery.received, activity: session.activity.facts() },
              { trace: settings.trace !== false },
            );
          } catch {
            // A store that fails at shutdown: the session ends without a trace.
          }
        }
      })();
      await Promise.race([work, deadline(DISPOSE_DEADLINE_MS)]);
    },
  };
}

/** The session a session runs under, following parents up to one of its own. */
function rootSession(sessions: ReadonlyMap<string, TrackedSession>, sessionId: string | undefined): string | undefined {
  let id = sessionId;
  for (let depth = 0; id !== undefined && depth < 32; depth += 1) {
    const parent = sessions.get(id)?.parentId;
    if (parent === undefined) return id;
    id = parent;
  }
  return id;
}

/** The line budget: a positive number, `0` for none (as `handoffs start --max-lines 0`), else the default. */
function lineBudget(value: unknown): number {
  if (value === 0) return Infinity;
  return positiveOr(value, DEFAULT_MAX_LINES);
}

function positiveOr<T extends number | undefined>(value: unknown, fallback: T): number | T {
  return typeof value === 'number' && value > 0 ? value : fallback;
}

/** Resolves after `ms`, without keeping the process alive. */
function deadline(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
