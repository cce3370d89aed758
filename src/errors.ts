/** Stable codes of {@link HandoffError}; branch on these, never on messages. */
export type HandoffErrorCode =
  /** The slug is not a string, or normalises to nothing. */
  | 'INVALID_SLUG'
  /** The body is neither a string nor bytes. */
  | 'INVALID_BODY'
  /** A name passed to `read` is not a handoff name (it could escape the directory). */
  | 'INVALID_NAME'
  /** Metadata keys or values that front matter cannot carry. */
  | 'INVALID_META'
  /** An option has the wrong type or range. */
  | 'INVALID_OPTION'
  /** The handoff does not exist. */
  | 'NOT_FOUND'
  /** An optional package this store needs is not installed (e.g. `pg` for PostgreSQL); the message names it. */
  | 'MISSING_DEPENDENCY'
  /** The filesystem or the store's server failed; `cause` holds the underlying error with its `code`. */
  | 'IO';

/** Stable codes of {@link MemoryError}. */
export type MemoryErrorCode =
  /** A topic name that is empty, not a string, or would escape the memory directory. */
  | 'INVALID_TOPIC'
  /** A summary or section that cannot be written as one index line. */
  | 'INVALID_ENTRY'
  /** An option has the wrong type or range. */
  | 'INVALID_OPTION'
  /** The index or a topic file is not valid UTF-8. */
  | 'INVALID_ENCODING'
  /** The memory directory, index or topic file does not exist. */
  | 'NOT_FOUND'
  /** A file that the operation would overwrite exists and overwriting was not asked for. */
  | 'EXISTS'
  /** The index lock could not be taken within the timeout. */
  | 'LOCK_TIMEOUT'
  /** The filesystem failed; `cause` holds the adapter's error with its `code`. */
  | 'IO';

/** Options shared by the error classes. */
export interface LibraryErrorOptions {
  /** The underlying error, typically the adapter's with a Node `code`. */
  cause?: unknown;
  /** The file or directory involved, when there is one. */
  path?: string;
}

/** An error of `HandoffStore`. `code` is stable across versions; `cause` holds the original error. */
export class HandoffError extends Error {
  override readonly name = 'HandoffError';
  readonly code: HandoffErrorCode;
  readonly path: string | undefined;

  constructor(code: HandoffErrorCode, message: string, options: LibraryErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.path = options.path;
  }
}

/** An error of `MemoryIndex`. `code` is stable across versions; `cause` holds the original error. */
export class MemoryError extends Error {
  override readonly name = 'MemoryError';
  readonly code: MemoryErrorCode;
  readonly path: string | undefined;

  constructor(code: MemoryErrorCode, message: string, options: LibraryErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.path = options.path;
  }
}

/** The Node error code of an adapter rejection, if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
