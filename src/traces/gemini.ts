import { TraceBuilder, type PendingCommand } from './builder.js';
import { isObject, objectsOf, parseObject, stringOf, type Json } from './json.js';
import type { ChangeKind, CommandStatus, LineResult, TodoItem, TraceFacts, TranscriptFormat, TranscriptParser } from './types.js';

/**
 * Gemini CLI's chat log (`~/.gemini/tmp/<project>/chats/session-<time>-<id prefix>.jsonl`, the
 * `transcript_path` its hooks get), as written by 0.61.0 and described in
 * test/fixtures/transcripts/gemini/README.md: a `{ sessionId, projectHash, … }` header, messages
 * `{ id, type, content, toolCalls, … }` written again whole, same id, as they grow, `{ $set }`
 * updates and `{ $rewindTo }` marks. Releases before the move to JSON lines (March 2026) wrote
 * `session-….json`, one pretty-printed document `{ sessionId, projectHash, messages }`: its first
 * line is `{`, so it is read as a `document` layout; a one-line document reads as a header with
 * messages.
 */
export const geminiFormat: TranscriptFormat = {
  agent: 'gemini',
  createParser: () => new GeminiParser(),
  recognizes: (firstLine) => {
    if (firstLine.trim() === '{') return true;
    const line = parseObject(firstLine);
    if (line !== undefined) return typeof line.sessionId === 'string' && typeof line.projectHash === 'string';
    return /^\{"sessionId":"[^"]*","projectHash":"/.test(firstLine);
  },
  layout: (firstLine) => (firstLine.trim() === '{' ? 'document' : 'lines'),
};

/** Tool call statuses after which the call is over. */
const TERMINAL = new Set(['success', 'error', 'cancelled']);

/** Tools that edit a file named by `args.file_path` (`replace` is the edit tool's name since 0.1; the others are older names). */
const EDIT_TOOLS = new Set(['replace', 'edit', 'smart_edit']);

/** Where the `<session_context>` message names the workspace: the first folder listed is the project. */
const WORKSPACE = /\*\*Workspace Directories:\*\*[ \t]*\r?\n[ \t]*- ([^\n]+)/;

/** A tool call, by its id: its command, and whether its outcome was recorded. */
interface Call {
  readonly command?: PendingCommand;
  done: boolean;
}

class GeminiParser implements TranscriptParser {
  private readonly trace = new TraceBuilder();
  /** Ids of every message read (lines and `$set` lists), to tell a compression from a rollback. */
  private readonly seen = new Set<string>();
  /** Messages already counted as prompts: a message may be written more than once. */
  private readonly prompts = new Set<string>();
  private readonly calls = new Map<string, Call>();

  line(text: string): LineResult {
    const line = parseObject(text);
    if (line === undefined) return 'malformed';
    if (typeof line.$rewindTo === 'string') return 'known';
    if (typeof line.id === 'string') return this.message(line);
    if (isObject(line.$set)) {
      this.update(line.$set);
      return 'known';
    }
    if (typeof line.sessionId === 'string' && typeof line.projectHash === 'string') {
      this.trace.session(line.sessionId, Array.isArray(line.directories) ? stringOf(line.directories[0]) : undefined);
      // A whole conversation in one record: an older release's document, or a rewritten file.
      for (const message of objectsOf(line.messages)) if (typeof message.id === 'string') this.message(message);
      return 'known';
    }
    return 'unknown';
  }

  gap(): void {
    // Messages are written whole, so a message after the gap needs nothing from before it.
  }

  finish(): TraceFacts {
    return this.trace.facts();
  }

  private message(message: Json): LineResult {
    const id = message.id as string;
    this.seen.add(id);
    switch (message.type) {
      case 'user':
        this.user(id, message);
        return 'known';
      case 'gemini':
        this.model(id, message);
        return 'known';
      case 'error':
        this.trace.error(partsText(message.content) ?? '');
        return 'known';
      case 'info':
      case 'warning':
        return 'known';
      default:
        return typeof message.type === 'string' ? 'unknown' : 'malformed';
    }
  }

  private user(id: string, message: Json): void {
    // Tool results go back to the model as user messages of functionResponse parts.
    if (Array.isArray(message.content) && message.content.some((part) => isObject(part) && 'functionResponse' in part)) return;
    const text = partsText(message.displayContent) ?? partsText(message.content);
    if (text === undefined) return;
    if (text.trimStart().startsWith('<session_context>')) {
      this.sessionContext(text);
      return;
    }
    // A SessionStart hook's context is prepended to the prompt it came with.
    const prompt = text.replace(/^\s*(<hook_context>[\s\S]*?<\/hook_context>\s*)+/, '').trim();
    // Gemini CLI's own rule: `/` commands and `?` help are not conversation.
    if (prompt === '' || prompt.startsWith('/') || prompt.startsWith('?') || this.prompts.has(id)) return;
    this.prompts.add(id);
    this.trace.prompt(prompt);
  }

  private model(id: string, message: Json): void {
    const calls = objectsOf(message.toolCalls);
    // A model response is written with its text as a string; a message Gemini CLI wrote itself
    // (the answer to a compression's summary, binary content received) holds parts, no tokens.
    if (typeof message.content !== 'string' && calls.length === 0 && !isObject(message.tokens)) return;
    this.trace.reply(id);
    if (typeof message.content === 'string') this.trace.replyMessage(id, message.content);
    for (const [index, call] of calls.entries()) this.toolCall(stringOf(call.id) ?? `${id}#${index}`, call);
  }

  private toolCall(id: string, call: Json): void {
    const name = stringOf(call.name) ?? '';
    const args = isObject(call.args) ? call.args : {};
    let entry = this.calls.get(id);
    if (entry === undefined) {
      this.trace.toolCall();
      const command = name === 'run_shell_command' ? stringOf(args.command) : undefined;
      entry = { done: false, ...(command === undefined ? {} : { command: this.trace.commandStarted(command) }) };
      this.calls.set(id, entry);
    }
    const status = stringOf(call.status) ?? '';
    if (entry.done || !TERMINAL.has(status)) return;
    entry.done = true;
    const output = resultText(call.result);
    if (entry.command) this.trace.commandEnded(entry.command, ...shellOutcome(status, output));
    if (status !== 'success') return;
    const display = isObject(call.resultDisplay) ? call.resultDisplay : {};
    const path = stringOf(args.file_path) ?? stringOf(display.filePath);
    if (name === 'write_file' && path !== undefined) this.trace.fileChanged(path, writeKind(display, output));
    else if (EDIT_TOOLS.has(name) && path !== undefined) this.trace.fileChanged(path, display.isNewFile === true ? 'created' : 'edited');
    else if (name === 'write_todos') {
      const todos = todoList(args.todos);
      if (todos) this.trace.setTodos(todos);
    }
  }

  /**
   * A `$set` update. One setting `messages` replaces the whole conversation: at start (the
   * session context), on resume (the same messages again), after a failed request (fewer), and
   * after a compression (a summary in place of what it summarized). Only the last both drops
   * messages already read and brings new ones.
   */
  private update(set: Json): void {
    if (!Array.isArray(set.messages)) return;
    const messages = objectsOf(set.messages).filter((message) => typeof message.id === 'string');
    const ids = new Set(messages.map((message) => message.id as string));
    const dropped = [...this.seen].some((id) => !ids.has(id));
    const added = [...ids].some((id) => !this.seen.has(id));
    if (dropped && added) this.trace.markCompacted();
    for (const id of ids) this.seen.add(id);
    for (const message of messages) {
      const text = message.type === 'user' ? partsText(message.content) : undefined;
      if (text?.trimStart().startsWith('<session_context>')) this.sessionContext(text);
    }
  }

  private sessionContext(text: string): void {
    const folder = WORKSPACE.exec(text)?.[1]?.trim();
    if (folder) this.trace.session(undefined, folder);
  }
}

/** A message's text: a string, or its text parts joined. */
function partsText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (isObject(content)) return partsText([content]);
  if (!Array.isArray(content)) return undefined;
  const texts = content.flatMap((part) => (typeof part === 'string' ? [part] : isObject(part) && typeof part.text === 'string' && part.thought !== true ? [part.text] : []));
  return texts.length === 0 ? undefined : texts.join('');
}

/** What a tool call returned to the model: each functionResponse's `output` or `error`. */
function resultText(result: unknown): string {
  return objectsOf(result)
    .map((part) => (isObject(part.functionResponse) && isObject(part.functionResponse.response) ? part.functionResponse.response : {}))
    .flatMap((response) => [stringOf(response.output), stringOf(response.error)].filter((text): text is string => text !== undefined))
    .join('\n');
}

/**
 * How a shell call ended. Gemini CLI reports a failed command as a successful call whose output
 * has an `Exit Code: N` line (0.61.0: `Output: …`, then `Exit Code`, `Signal`, `Process Group
 * PGID` lines, each only when it applies), so the last such line wins over the status.
 */
function shellOutcome(status: string, output: string): [CommandStatus, number | undefined] {
  if (status === 'cancelled') return ['failed', undefined];
  const exits = [...output.matchAll(/(?:^|\n)Exit Code: (-?\d+)/g)];
  const code = exits.length === 0 ? undefined : Number(exits.at(-1)![1]);
  if (code !== undefined) return code === 0 ? ['ok', 0] : ['failed', code];
  // Older releases wrote every field, `Signal: (none)` included.
  if (status === 'error' || /(?:^|\n)(Signal: (?!\(none\))|Command was (automatically )?cancelled)/.test(output)) return ['failed', undefined];
  if (/(?:^|\n)Command moved to background/.test(output)) return ['unknown', undefined];
  return ['ok', 0];
}

/** write_file reports whether the file was new (`resultDisplay.isNewFile`, or its output's wording). */
function writeKind(display: Json, output: string): ChangeKind {
  if (typeof display.isNewFile === 'boolean') return display.isNewFile ? 'created' : 'edited';
  return /^Successfully created and wrote to new file/.test(output) ? 'created' : 'edited';
}

/**
 * write_todos' `todos: [{ description, status }]`; each call replaces the list. Cancelled items
 * are left out (they are not work for the next session); `blocked` reads as pending.
 */
function todoList(value: unknown): TodoItem[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return objectsOf(value).flatMap((item) => {
    const content = stringOf(item.description);
    if (content === undefined || item.status === 'cancelled') return [];
    const status = item.status === 'in_progress' || item.status === 'completed' ? item.status : 'pending';
    return [{ content, status }];
  });
}
