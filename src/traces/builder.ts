import {
  MAX_COMMANDS,
  type ChangeKind,
  type ChangedFile,
  type CommandRun,
  type CommandStatus,
  type TodoItem,
  type TraceFacts,
} from './types.js';

/** A command the builder holds until its result arrives. */
interface PendingCommand {
  command: string;
  status: CommandStatus;
  exitCode?: number;
}

/**
 * Gathers the facts of one transcript, whatever the agent: each format maps its own line shapes
 * to these calls. It keeps "first" things once and overwrites "last" things, so a transcript read
 * as a head and a tail gives the first request from the head and the last message from the tail.
 */
export class TraceBuilder {
  private sessionId: string | undefined;
  private cwd: string | undefined;
  private firstRequest: string | undefined;
  private latestRequest: string | undefined;
  private prompts = 0;
  private readonly replies = new Set<string>();
  private anonymousReplies = 0;
  private toolCalls = 0;
  private commandCount = 0;
  private readonly files = new Map<string, ChangeKind>();
  private commands: PendingCommand[] = [];
  private todos: TodoItem[] | undefined;
  private lastMessageId: string | undefined;
  private lastMessageParts: string[] = [];
  private lastError: string | undefined;
  private compacted = false;
  /** Requests the format could only guess (a queued prompt, the client's own "last prompt" note). */
  private hintedFirst: string | undefined;
  private hintedLast: string | undefined;

  /** The session's id and working directory; the first ones seen are kept. */
  session(sessionId: string | undefined, cwd: string | undefined): void {
    if (this.sessionId === undefined && sessionId) this.sessionId = sessionId;
    if (this.cwd === undefined && cwd) this.cwd = cwd;
  }

  /** A user prompt. */
  prompt(text: string): void {
    const trimmed = text.trim();
    if (trimmed === '') return;
    this.prompts++;
    this.firstRequest ??= trimmed;
    this.latestRequest = trimmed;
  }

  /**
   * A prompt known only from bookkeeping (a queued prompt, a "last prompt" line): used only when
   * no prompt line was read, e.g. when the prompt's own line is malformed or in the skipped middle.
   */
  hintPrompt(text: string, which: 'first' | 'last'): void {
    const trimmed = text.trim();
    if (trimmed === '') return;
    if (which === 'first') this.hintedFirst ??= trimmed;
    else this.hintedLast = trimmed;
  }

  /** A real model reply (one call per content block is fine: replies are counted by id). */
  reply(id: string | undefined): void {
    if (id === undefined) this.anonymousReplies++;
    else this.replies.add(id);
    // A reply after an error means the session recovered from it.
    this.lastError = undefined;
  }

  /** A text block of a model reply; blocks of one reply are joined. */
  replyText(id: string | undefined, text: string): void {
    if (text.trim() === '') return;
    if (id === undefined || id !== this.lastMessageId) {
      this.lastMessageId = id;
      this.lastMessageParts = [];
    }
    this.lastMessageParts.push(text.trim());
  }

  /**
   * The whole text of a model reply, for formats that write a message out whole and may write it
   * again, same id, as it grows (Gemini CLI): it replaces the last message instead of adding a block.
   */
  replyMessage(id: string, text: string): void {
    if (text.trim() === '') return;
    this.lastMessageId = id;
    this.lastMessageParts = [text.trim()];
  }

  /** An error the agent reported in place of a model reply. */
  error(text: string): void {
    if (text.trim() !== '') this.lastError = text.trim();
  }

  /** A tool call by the model. */
  toolCall(): void {
    this.toolCalls++;
  }

  /**
   * A file changed by a call that did not fail. The first kind recorded for a path stays, save
   * for deletions, which say what the next session finds: a deletion replaces any kind, and a
   * file created again after its deletion is `edited`. The path keeps its place in the order.
   */
  fileChanged(path: string, kind: ChangeKind): void {
    if (path === '') return;
    const earlier = this.files.get(path);
    if (earlier === undefined) this.files.set(path, kind);
    else if (kind === 'deleted') this.files.set(path, 'deleted');
    else if (earlier === 'deleted') this.files.set(path, 'edited');
  }

  /** Whether a file was already recorded as changed. */
  hasChanged(path: string): boolean {
    return this.files.has(path);
  }

  /** A shell command started; returns a handle to record its result. */
  commandStarted(command: string): PendingCommand {
    const entry: PendingCommand = { command, status: 'unknown' };
    this.commandCount++;
    this.commands.push(entry);
    // Keep the latest commands: the end of a long session says more about where it stopped.
    if (this.commands.length > 2 * MAX_COMMANDS) this.commands = this.commands.slice(-MAX_COMMANDS);
    return entry;
  }

  /** A command's result. */
  commandEnded(entry: PendingCommand, status: CommandStatus, exitCode: number | undefined): void {
    entry.status = status;
    if (exitCode === undefined) delete entry.exitCode;
    else entry.exitCode = exitCode;
  }

  /** The session's todo list as it now is. */
  setTodos(items: readonly TodoItem[]): void {
    this.todos = items.map((item) => ({ content: item.content, status: item.status }));
  }

  /** The transcript records a compaction. */
  markCompacted(): void {
    this.compacted = true;
  }

  /** The facts gathered so far. */
  facts(): TraceFacts {
    const request = this.firstRequest ?? this.hintedFirst ?? this.hintedLast;
    const latest = this.latestRequest ?? this.hintedLast;
    const filesChanged: ChangedFile[] = [...this.files].map(([path, kind]) => ({ path, kind }));
    const commands: CommandRun[] = this.commands
      .slice(-MAX_COMMANDS)
      .map(({ command, status, exitCode }) => (exitCode === undefined ? { command, status } : { command, status, exitCode }));
    const lastMessage = this.lastMessageParts.length > 0 ? this.lastMessageParts.join('\n\n') : undefined;
    const facts: TraceFacts = {
      filesChanged,
      commands,
      modelReplied: this.replies.size + this.anonymousReplies > 0,
      compacted: this.compacted,
      counts: {
        prompts: this.prompts,
        turns: this.replies.size + this.anonymousReplies,
        toolCalls: this.toolCalls,
        commands: this.commandCount,
        filesChanged: filesChanged.length,
      },
    };
    return {
      ...(this.sessionId === undefined ? {} : { sessionId: this.sessionId }),
      ...(this.cwd === undefined ? {} : { cwd: this.cwd }),
      ...(request === undefined ? {} : { request }),
      ...(latest === undefined || latest === request ? {} : { lastRequest: latest }),
      ...facts,
      ...(this.todos === undefined ? {} : { todos: this.todos.map((item) => ({ ...item })) }),
      ...(lastMessage === undefined ? {} : { lastMessage }),
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }
}

export type { PendingCommand };
