import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { HandoffError, MemoryError, errorCode } from '../errors.js';
import { ClaimLookupError } from './claims.js';

/**
 * Tool results as a model reads them. Every tool answers with text written for the model (what
 * happened, and what to call next) and the same facts as `structuredContent` for clients that
 * read data. A failure is a tool result with `isError: true` and a message naming the bad input
 * and its stable code: a model can correct itself from it, and the server never goes down for it.
 */

/** A successful tool result. */
export function toolResult(text: string, structured?: Record<string, unknown>): CallToolResult {
  return structured === undefined ? { content: [{ type: 'text', text }] } : { content: [{ type: 'text', text }], structuredContent: structured };
}

/** The tool result for a failure: the error's message and code, and a hint for links. */
export function toolError(error: unknown): CallToolResult {
  return { content: [{ type: 'text', text: describeError(error) }], isError: true };
}

/** Runs a tool's work and turns any failure into a tool error result. */
export async function guarded(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    return toolError(error);
  }
}

/** `message [CODE]`, as the CLI prints library errors. */
export function describeError(error: unknown): string {
  if (error instanceof HandoffError || error instanceof MemoryError || error instanceof ClaimLookupError) {
    const cause = errorCode(error.cause);
    // The stores open files with O_NOFOLLOW: a link in place of a handoff or topic fails with ELOOP.
    const hint = cause === 'ELOOP' ? ' (it is a symbolic link, and links are never followed)' : '';
    return `${error.message}${hint} [${error.code}]`;
  }
  return error instanceof Error ? error.message : String(error);
}
