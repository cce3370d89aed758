import type { OpencodeEvent, OpencodePart } from './types.js';

/**
 * What one OpenCode session did, as far as its bus events show it (OpenCode 1.18.33):
 *
 * - `message.updated` `{ info }`: an assistant message (`info.role === 'assistant'`) is a model
 *   reply once `info.time.completed` is set without `info.error`; with `info.error` it is a failed
 *   request (`error.data.message` says why).
 * - `message.part.updated` `{ part }`: a `text` part of an assistant message is the reply's text;
 *   a `patch` part lists the absolute paths of the files a step changed (`files`).
 *
 * The session's own request comes from its first `chat.message`. Nothing here reads OpenCode's
 * database: a session's whole record stays available through `opencode export <id>`.
 */

/** Files listed before the rest are only counted. */
const MAX_FILES = 50;
/** Characters kept of a request or a reply. */
const MAX_TEXT = 2_000;

/** What {@link SessionActivity} has seen. */
export interface ActivityFacts {
  /** Model replies completed without error. */
  readonly replies: number;
  /** The text of the session's first message, its own words (not parts a plugin added). */
  readonly request: string | undefined;
  /** The text of the last model reply that had text. */
  readonly lastMessage: string | undefined;
  /** Files the session's steps changed, in order of first change. */
  readonly files: readonly string[];
  /** How many files changed in all (`files` stops at 50). */
  readonly fileCount: number;
  /** The error of the last failed model request, if the last request failed. */
  readonly lastError: string | undefined;
}

/** Collects the facts of one session from its events. Feed it only that session's events. */
export class SessionActivity {
  readonly #assistantMessages = new Set<string>();
  readonly #completed = new Set<string>();
  readonly #files = new Set<string>();
  #request: string | undefined;
  #lastMessage: string | undefined;
  #lastError: string | undefined;

  /** Records the session's first message: its text parts, without those marked synthetic. */
  noteRequest(parts: readonly OpencodePart[]): void {
    if (this.#request !== undefined) return;
    const text = parts
      .filter((part) => part.type === 'text' && part.synthetic !== true && typeof part.text === 'string')
      .map((part) => part.text)
      .join('\n')
      .trim();
    if (text !== '') this.#request = clip(text);
  }

  /** Takes in one bus event of this session. Events of other kinds are ignored. */
  observe(event: OpencodeEvent): void {
    const properties = record(event.properties);
    if (event.type === 'message.updated') this.#message(record(properties.info));
    else if (event.type === 'message.part.updated') this.#part(record(properties.part));
  }

  /** What has been seen so far. */
  facts(): ActivityFacts {
    return {
      replies: this.#completed.size,
      request: this.#request,
      lastMessage: this.#lastMessage,
      files: [...this.#files].slice(0, MAX_FILES),
      fileCount: this.#files.size,
      lastError: this.#lastError,
    };
  }

  #message(info: Record<string, unknown>): void {
    if (info.role !== 'assistant' || typeof info.id !== 'string') return;
    this.#assistantMessages.add(info.id);
    const error = record(info.error);
    if (Object.keys(error).length > 0) {
      this.#completed.delete(info.id);
      const data = record(error.data);
      this.#lastError = clip(typeof data.message === 'string' ? data.message : typeof error.name === 'string' ? error.name : 'model request failed');
      return;
    }
    if (typeof record(info.time).completed === 'number') {
      this.#completed.add(info.id);
      this.#lastError = undefined;
    }
  }

  #part(part: Record<string, unknown>): void {
    if (part.type === 'patch' && Array.isArray(part.files)) {
      for (const file of part.files) if (typeof file === 'string') this.#files.add(file);
    } else if (part.type === 'text' && typeof part.messageID === 'string' && this.#assistantMessages.has(part.messageID)) {
      if (typeof part.text === 'string' && part.text.trim() !== '') this.#lastMessage = clip(part.text.trim());
    }
  }
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
