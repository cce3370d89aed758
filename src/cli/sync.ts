import type { ParseArgsConfig } from 'node:util';
import { HandoffError } from '../errors.js';
import { UsageError, resolveHome, type Io, type Parsed } from './args.js';

/**
 * `handoffs sync`: publishes what this machine holds for a git store (handoffs written while the
 * remote was out of reach), settles claims and acknowledgements left in doubt, and deletes consumed
 * handoffs past retention there. Every other command that reaches the remote does the same on the
 * way; this one does only that, and says what it did.
 */
export const syncCommand = {
  help: `Usage: handoffs sync [--store git:REMOTE] [--json]

Publishes the handoffs this machine holds for a git store (written while the remote was out of
reach), settles claims left in doubt by a failed push, and deletes consumed handoffs past retention
on the remote: one fetch and one push. Any other command that reaches the remote does this on the
way; sync does only this, and says what it did.

  --store git:REMOTE  the store (default $HANDOFFS_STORE): git:origin, or git: and a URL
  --json              print the result as JSON

Exit codes: 0 the remote was reached, 1 it was not (nothing is lost: handoffs stay queued here).`,
  options: { store: { type: 'string' }, json: { type: 'boolean' } } satisfies ParseArgsConfig['options'],
  async run({ values }: Parsed, io: Io): Promise<number> {
    const url = typeof values.store === 'string' ? values.store : io.env.HANDOFFS_STORE;
    if (url === undefined || url === '') throw new UsageError('sync needs a git store: --store git:REMOTE, or HANDOFFS_STORE');
    if (!url.startsWith('git:')) throw new UsageError(`sync works on a git store (git:REMOTE), not ${JSON.stringify(url)}`);
    const { gitStore } = await import('../backends/git/open.js');
    const store = gitStore({
      remote: url.slice('git:'.length) || 'origin',
      cwd: io.cwd,
      handoffsDir: resolveHome(String(values.dir ?? io.env.HANDOFFS_DIR ?? '~/.claude/handoffs')),
      onWarning: (message) => io.stderr.write(`handoffs: warning: ${message}\n`),
    });
    let result;
    let location = store.location;
    try {
      location = (await store.open()).location;
      result = await store.sync();
    } catch (error) {
      if (error instanceof HandoffError) throw error;
      throw new HandoffError('IO', `sync failed: ${(error as Error).message}`, { cause: error });
    } finally {
      await store.close?.();
    }
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ store: location, ...result }, null, 2)}\n`);
    } else if (result.reached) {
      const parts = [`published ${result.published.length} handoff${result.published.length === 1 ? '' : 's'} to ${location}`];
      if (result.repaired > 0) parts.push(`put back ${result.repaired} left in doubt`);
      if (result.removed.length > 0) parts.push(`deleted ${result.removed.length} past retention`);
      parts.push(`${result.queued} still queued here`);
      io.stdout.write(`${parts.join('; ')}\n`);
    } else {
      io.stderr.write(`handoffs: ${location} not reached (${result.problem ?? 'unknown'}); ${result.queued === 1 ? '1 handoff stays' : `${result.queued} handoffs stay`} queued on this machine\n`);
    }
    return result.reached ? 0 : 1;
  },
};
