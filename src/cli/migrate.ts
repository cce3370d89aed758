import type { ParseArgsConfig } from 'node:util';
import { resolveHome, UsageError, type Io, type Parsed } from './args.js';

/**
 * `handoffs migrate --from DIR --to postgres://…`: copies a directory store into PostgreSQL.
 * Arguments and output only; the copy is `copyDirectoryToPostgres`, loaded when the command runs.
 */
export const migrateCommand = {
  help: `Usage: handoffs migrate --from DIR --to postgres://… [--json]

Copies every pending and consumed handoff of the directory DIR into the PostgreSQL store, keeping
names, instants and consumption times. The directory is not changed. Safe to run again: it copies
only handoffs new in DIR, never one copied before. Handoffs a session has claimed right now are not
copied (run again once they are acknowledged or their lease ends). Stop writers and consumers of
DIR first. Needs the 'pg' package.

  --from DIR   the handoffs directory (default $HANDOFFS_DIR)
  --to URL     the PostgreSQL store (default $HANDOFFS_STORE)
  --json       print the names copied, found already there, and left, as JSON

Exit code 1 when a handoff could not be copied because its name is taken in the store.`,
  options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } } satisfies ParseArgsConfig['options'],
  positionals: 0,
  async run({ values }: Parsed, io: Io): Promise<number> {
    const from = values.from ?? io.env.HANDOFFS_DIR;
    const to = values.to ?? io.env.HANDOFFS_STORE;
    if (typeof from !== 'string' || from === '') throw new UsageError('--from DIR is required');
    if (typeof to !== 'string' || !/^postgres(?:ql)?:\/\//i.test(to)) throw new UsageError('--to takes a postgres:// URL');
    const { copyDirectoryToPostgres } = await import('../backends/postgres/copy.js');
    const result = await copyDirectoryToPostgres({ from: resolveHome(from), to });
    if (values.json) {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      io.stdout.write(
        `copied ${result.pending.length} pending and ${result.consumed.length} consumed; ` +
          `${result.present.length} copied before; ${result.claimed.length} claimed, not copied\n`,
      );
      for (const name of result.conflicts) io.stderr.write(`handoffs: not copied, the name is taken in the store: ${name}\n`);
    }
    return result.conflicts.length > 0 ? 1 : 0;
  },
};
