import type { AgentName } from '../agents/types.js';

/**
 * The map of the traces module. A trace is what a session did, read from the transcript its agent
 * wrote, with no model call: the request it was given, the files it changed, the commands it ran,
 * its last todo list and its last message. Each agent's transcript format is one
 * {@link TranscriptFormat} in a file of its own; reading the file, the byte cap and what degraded
 * are shared by all of them.
 */

/** How a session changed a file. */
export type ChangeKind = 'created' | 'edited' | 'deleted';

/** One file a session changed, as its tool calls name it (absolute, as the agent recorded it). */
export interface ChangedFile {
  readonly path: string;
  /**
   * The kind of its first change in the session: a file created and then edited is `created`.
   * A deletion is the exception, as it is what the next session finds: a file deleted last is
   * `deleted` whatever came before, and one deleted and then created again is `edited`. Only
   * readers of agents whose tools delete files (Codex's and Copilot's `apply_patch`) report it.
   */
  readonly kind: ChangeKind;
}

/**
 * How a command ended: `ok` (exit 0), `failed` (non-zero exit, refused or interrupted), or
 * `unknown` when its result is not in what was read (the session ended during the call, or the
 * result lies in the part of a huge transcript the byte cap skipped).
 */
export type CommandStatus = 'ok' | 'failed' | 'unknown';

/** One shell command the session's agent ran through its shell tool. */
export interface CommandRun {
  readonly command: string;
  readonly status: CommandStatus;
  /** The exit code, when the result states it (`0` for `ok`). */
  readonly exitCode?: number;
}

/** The state of one todo or task. Unknown states are read as `pending`. */
export type TodoStatus = 'pending' | 'in_progress' | 'completed';

/** One item of the session's last todo or task list. */
export interface TodoItem {
  readonly content: string;
  readonly status: TodoStatus;
}

/**
 * Whether the session did any work: `done` when at least one real model reply is in the
 * transcript; `none` when the whole transcript was read and holds no model reply (a session that
 * failed before its first request, e.g. not logged in, has only a `<synthetic>` message); `unknown`
 * when that cannot be told (file missing or unreadable, lines that could not be parsed, part of
 * the file not read, or an agent without a reader). Only `none` means "nothing to hand off".
 */
export type WorkDone = 'done' | 'none' | 'unknown';

/** Stable codes of what degraded while reading a transcript. */
export type TraceIssueCode =
  /** No file at the path. */
  | 'MISSING'
  /** The path is a directory, a FIFO, a socket or a device: not read. */
  | 'NOT_A_FILE'
  /** The file could not be opened or read (permissions, I/O error); `detail` has Node's code. */
  | 'UNREADABLE'
  /** The file is empty. */
  | 'EMPTY'
  /** Lines that are not valid UTF-8; read with U+FFFD in place of the bad bytes. */
  | 'NOT_UTF8'
  /** Lines that are not JSON objects; skipped. */
  | 'MALFORMED_LINES'
  /** The last line is cut short with no newline (a transcript still being written); skipped. */
  | 'TRUNCATED_LAST_LINE'
  /** Well-formed lines of a type this reader does not know; skipped. */
  | 'UNKNOWN_LINES'
  /**
   * The file is larger than `maxBytes`: its head and tail were read, the middle skipped (with
   * `headBytes: 0`, only the tail, the start skipped); a one-document transcript, not read.
   */
  | 'CAPPED'
  /** No reader for this agent's transcripts yet: nothing was read. */
  | 'UNSUPPORTED_AGENT';

/** One thing that degraded, with how much. */
export interface TraceIssue {
  readonly code: TraceIssueCode;
  /** How many lines (line issues) or bytes (`CAPPED`: bytes skipped) it concerns. */
  readonly count?: number;
  /** A short human-readable explanation. */
  readonly detail: string;
}

/** Counts of the whole transcript as read (not limited by the list caps). */
export interface TraceCounts {
  /** User prompts (not tool results, local commands, meta or compaction lines). */
  readonly prompts: number;
  /**
   * Model replies, one per model response: Claude Code's distinct assistant messages (`<synthetic>`
   * ones excluded), Codex's responses (the model's items between two of anything else), Gemini
   * CLI's model messages, Copilot CLI's model calls. A compaction's own summary call is not one.
   */
  readonly turns: number;
  /** Tool calls the model made, failed ones included. */
  readonly toolCalls: number;
  /** Shell commands run; `commands` lists only the last {@link MAX_COMMANDS}. */
  readonly commands: number;
  /** Distinct files changed. */
  readonly filesChanged: number;
}

/** What one agent's reader found in a transcript: a {@link SessionTrace} without the file facts. */
export interface TraceFacts {
  readonly sessionId?: string;
  /** The session's working directory, when lines record it. */
  readonly cwd?: string;
  /** The session's first user request. */
  readonly request?: string;
  /** The last user request, when the session had more than one (a resumed session). */
  readonly lastRequest?: string;
  /** Files changed by tool calls that did not fail, de-duplicated, in order of first change. */
  readonly filesChanged: readonly ChangedFile[];
  /** Shell commands in the order run; the last {@link MAX_COMMANDS} when there were more. */
  readonly commands: readonly CommandRun[];
  /** The last todo or task list, `undefined` when the session kept none. */
  readonly todos?: readonly TodoItem[];
  /** The text of the last model reply that had text. */
  readonly lastMessage?: string;
  /** An error the agent reported after the last model reply (e.g. `Not logged in`, an API error). */
  readonly lastError?: string;
  /** At least one real model reply was read. */
  readonly modelReplied: boolean;
  /** The transcript records a compaction. */
  readonly compacted: boolean;
  readonly counts: TraceCounts;
}

/** What a session did, read from its transcript. Plain data; render it with `renderTrace`. */
export interface SessionTrace extends TraceFacts {
  readonly agent: AgentName;
  /** The transcript's path, as given. */
  readonly path: string;
  readonly work: WorkDone;
  /** The file's size and how much of it was read. */
  readonly bytes: { readonly size: number; readonly read: number };
  /** What degraded; empty when the whole transcript was read and understood. */
  readonly issues: readonly TraceIssue[];
}

/** How the reader took one line. */
export type LineResult =
  /** A line of a known type (used or deliberately ignored). */
  | 'known'
  /** A JSON object of a type the reader does not know. */
  | 'unknown'
  /** Not a JSON object (or not the shape its type requires). */
  | 'malformed';

/**
 * One transcript being read. Lines arrive in file order; when the byte cap skipped the middle of
 * the file, {@link TranscriptParser.gap} is called once between the head and the tail, so a reader
 * knows that calls may have no results and results no calls.
 */
export interface TranscriptParser {
  /** Takes one line, without its newline. Never throws. */
  line(text: string): LineResult;
  /** Marks the bytes the cap skipped. */
  gap(): void;
  /** What was found. */
  finish(): TraceFacts;
}

/**
 * How a transcript file is laid out: `lines`, one JSON value per line, read streaming (past the
 * byte cap, as a head and a tail); or `document`, one JSON document spread over many lines, read
 * whole and given to the parser as a single text (past the byte cap, not read at all, since half a
 * document cannot be parsed).
 */
export type TranscriptLayout = 'lines' | 'document';

/**
 * One agent's transcript format: one file per agent (`claude.ts`, `codex.ts`, …), registered in
 * `formats.ts`.
 */
export interface TranscriptFormat {
  readonly agent: AgentName;
  /** A reader for one transcript. */
  createParser(): TranscriptParser;
  /**
   * Whether a transcript's first line is this agent's, for `detectTranscriptFormat`. It gets the
   * line's text, or only its start when the line is very long (then not valid JSON on its own).
   */
  recognizes(firstLine: string): boolean;
  /** The file's layout, judged from its first line. Default: always `lines`. */
  layout?(firstLine: string): TranscriptLayout;
}

/** How many commands a trace lists; `counts.commands` has the total. The last ones are kept. */
export const MAX_COMMANDS = 200;
