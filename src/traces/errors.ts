/** Stable codes of {@link TraceError}; branch on these, never on messages. */
export type TraceErrorCode =
  /** An option has the wrong type or range (a byte cap or budget that is not a positive number, an agent that is not one). */
  'INVALID_OPTION';

/**
 * An error of the traces module. Only a caller's mistake is an error: a transcript that is
 * missing, malformed or huge never is; it degrades to a smaller trace that says what degraded.
 */
export class TraceError extends Error {
  override readonly name = 'TraceError';
  readonly code: TraceErrorCode;

  constructor(code: TraceErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
