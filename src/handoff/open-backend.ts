import type { HandoffBackend } from '../backends/types.js';
import { HandoffError } from '../errors.js';
import type { Runtime } from '../runtime.js';

/** What a backend opened from a URL gets from its store. */
export interface BackendContext {
  readonly runtime: Runtime;
  /** The handoffs directory the caller would use for the directory store; local queues live under it. */
  readonly dir?: string;
  /** The working directory a remote name (`git:origin`) is resolved in. Default: `process.cwd()`. */
  readonly cwd?: string;
  /** Days a consumed handoff is kept (the store's `retentionDays`). */
  readonly retentionDays?: number;
  /** Where conditions worth a person's attention go (the store's `onWarning`). */
  readonly onWarning?: (message: string) => void;
}

/**
 * Opens the backend a store URL names. Each backend is loaded only when used, so users of the
 * directory store never load (or install) another's client library.
 *
 * - `git:REMOTE`: handoffs on a git remote (`git:origin`, or any URL git can push to; `git:` alone
 *   is `git:origin`), offline first through a local queue; see docs/GIT-STORE.md.
 *
 * @throws HandoffError `INVALID_OPTION` for a URL no backend takes (credentials removed from the message).
 */
export async function openBackend(url: string, context: BackendContext): Promise<HandoffBackend> {
  if (/^postgres(?:ql)?:\/\//i.test(url)) {
    const { postgresStore } = await import('../backends/postgres/backend.js');
    return postgresStore({ url, runtime: context.runtime });
  }
  if (url.startsWith('git:')) {
    const { gitStore } = await import('../backends/git/open.js');
    return gitStore({
      remote: url.slice('git:'.length) || 'origin',
      runtime: context.runtime,
      ...(context.dir === undefined ? {} : { handoffsDir: context.dir }),
      ...(context.cwd === undefined ? {} : { cwd: context.cwd }),
      ...(context.retentionDays === undefined ? {} : { retentionDays: context.retentionDays }),
      ...(context.onWarning === undefined ? {} : { onWarning: context.onWarning }),
    });
  }
  throw new HandoffError('INVALID_OPTION', `no store backend for ${redactUrl(url)}`);
}

/** A URL with any password or user removed (in the authority or as a `password` parameter), for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1').replace(/([?&]password=)[^&#]*/gi, '$1***');
}
