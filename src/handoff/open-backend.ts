import type { HandoffBackend } from '../backends/types.js';
import { HandoffError } from '../errors.js';
import type { Runtime } from '../runtime.js';

/** What a backend opened from a URL gets from its store. */
export interface BackendContext {
  readonly runtime: Runtime;
}

/**
 * Opens the backend a store URL names. Each backend is loaded only when used, so users of the
 * directory store never load (or install) another's client library.
 *
 * @throws HandoffError `INVALID_OPTION` for a URL no backend takes (credentials removed from the message).
 */
export async function openBackend(url: string, context: BackendContext): Promise<HandoffBackend> {
  if (/^postgres(?:ql)?:\/\//i.test(url)) {
    const { postgresStore } = await import('../backends/postgres/backend.js');
    return postgresStore({ url, runtime: context.runtime });
  }
  throw new HandoffError('INVALID_OPTION', `no store backend for ${redactUrl(url)}`);
}

/** A URL with any password or user removed (in the authority or as a `password` parameter), for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1').replace(/([?&]password=)[^&#]*/gi, '$1***');
}
