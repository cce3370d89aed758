/** Stable codes of {@link InitError}; branch on these, never on messages. */
export type InitErrorCode =
  /** A config file init would change cannot be read as what it should be (not JSON, not an object, a list where an object belongs). */
  | 'INVALID_CONFIG'
  /** The file, or the real file behind a symbolic link, cannot be written (read-only file or folder, dangling link into a missing folder). */
  | 'NOT_WRITABLE'
  /** A file init would own already exists with content that is not init's. */
  | 'NOT_OURS'
  /** An option has the wrong value or combination (unknown agent, `--config-dir` with several agents, `--project` outside a repository). */
  | 'INVALID_OPTION'
  /** The filesystem failed; `cause` holds Node's error with its `code`. */
  | 'IO';

/** An error of `handoffs init`. `code` is stable across versions; `cause` holds the original error. */
export class InitError extends Error {
  override readonly name = 'InitError';
  readonly code: InitErrorCode;
  /** The file involved, when there is one. */
  readonly path: string | undefined;

  constructor(code: InitErrorCode, message: string, options: { cause?: unknown; path?: string } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.path = options.path;
  }
}
