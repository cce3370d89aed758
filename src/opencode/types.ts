/**
 * The part of OpenCode's plugin API the handoffs plugin uses, as structural types, so the package
 * needs no dependency on `@opencode-ai/plugin`. Checked against OpenCode 1.18.33 and its
 * `@opencode-ai/plugin` 1.18.33 (`dist/index.d.ts`), and against what the real client did in
 * test/e2e/agents/opencode.e2e.ts and opencode-plugin.e2e.ts:
 *
 * - A plugin is a function `(input, options?) => Promise<Hooks>`. OpenCode calls every export of a
 *   plugin file that way (an export that is not a function fails the whole file), with `options`
 *   from a `[spec, options]` entry of the config's `plugin` list, else `undefined`.
 * - `event` is called synchronously from inside the publish of each bus event of the instance's
 *   directory and is not awaited: a rejection would be unhandled. `session.created` of a session is
 *   published before its first `chat.message`.
 * - `chat.message`, `chat.params` and `shell.env` are awaited; a throw fails OpenCode's operation.
 * - `dispose` is awaited when the instance shuts down (after the last `session.idle` of
 *   `opencode run`, before the process exits).
 */

/** What OpenCode passes a plugin. Only `directory` and `worktree` are read here. */
export interface OpencodePluginInput {
  /** The directory OpenCode runs in (its instance). */
  readonly directory: string;
  /** The project's work tree root (`/` outside a repository). */
  readonly worktree: string;
  readonly [key: string]: unknown;
}

/** A message part, as `chat.message` and `message.part.updated` carry it. */
export interface OpencodePart {
  id: string;
  sessionID: string;
  messageID: string;
  type: string;
  text?: string;
  synthetic?: boolean;
  [key: string]: unknown;
}

/** The user message `chat.message` is about, before OpenCode saves it. */
export interface OpencodeUserMessage {
  id: string;
  sessionID: string;
  role: string;
  [key: string]: unknown;
}

/** One bus event as the `event` hook receives it: `{ type, properties }`. */
export interface OpencodeEvent {
  readonly type: string;
  readonly properties?: unknown;
}

/** The hooks the handoffs plugin implements, in OpenCode's shapes. */
export interface OpencodeHooks {
  event(input: { event: OpencodeEvent }): Promise<void>;
  'chat.message'(
    input: { sessionID: string; [key: string]: unknown },
    output: { message: OpencodeUserMessage; parts: OpencodePart[] },
  ): Promise<void>;
  'chat.params'(input: { sessionID: string; [key: string]: unknown }, output: unknown): Promise<void>;
  'shell.env'(input: { cwd: string; sessionID?: string; [key: string]: unknown }, output: { env: Record<string, string> }): Promise<void>;
  dispose(): Promise<void>;
}
