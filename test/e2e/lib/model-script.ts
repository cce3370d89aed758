/**
 * What a scripted model endpoint says, independent of the wire format that carries it.
 *
 * A real client sends one request per model turn and repeats the whole conversation each time, so a
 * script answers by counting the tool results the request already carries: the reply at index n
 * answers a conversation with n tool results in it. That keeps the script stateless and immune to
 * side requests (title generation, retries), which carry the same count or no tools at all.
 */

/** Plain text from the model; ends the turn. */
export interface TextReply {
  readonly text: string;
}

/**
 * A call of one of the tools the client offered. `input` is the argument object of a function tool,
 * or the raw text of a freeform tool (Codex's and Copilot's `apply_patch`).
 */
export interface ToolReply {
  readonly tool: string;
  readonly input: Readonly<Record<string, unknown>> | string;
}

/** One model turn. */
export type ModelReply = TextReply | ToolReply;

/** The replies of a scripted model. */
export interface ModelScript {
  /** Reply n answers a request carrying n tool results; past the end the last reply is repeated. */
  readonly turns: readonly ModelReply[];
  /**
   * The answer to a request that offers no tools at all, such as OpenCode's title generation.
   * Default: `"scripted reply"`.
   */
  readonly toollessText?: string;
}

/** A script that only ever answers with `text`. */
export function textOnly(text: string): ModelScript {
  return { turns: [{ text }] };
}

/** True when the reply is a tool call. */
export function isToolReply(reply: ModelReply): reply is ToolReply {
  return 'tool' in reply;
}

/**
 * Picks the reply for a request that carries `toolResults` tool results and does or does not offer
 * tools. Pure, so each wire format decides the two counts and shares this rule.
 */
export function pickReply(script: ModelScript, toolResults: number, offersTools: boolean): ModelReply {
  if (!offersTools) return { text: script.toollessText ?? 'scripted reply' };
  const turns = script.turns;
  if (turns.length === 0) throw new Error('a model script needs at least one turn');
  return turns[Math.min(toolResults, turns.length - 1)] as ModelReply;
}
