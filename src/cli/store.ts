import { HandoffStore } from '../handoff/store.js';
import { resolveHome, type Io, type Parsed } from './args.js';

/** Where handoffs live when nothing says otherwise: beside Claude Code's own files. */
export const DEFAULT_HANDOFFS_DIR = '~/.claude/handoffs';

/** The legacy single handoff file of the seed pattern, migrated on session start. */
export const DEFAULT_LEGACY_FILE = '~/.claude/context-handoff.md';

/** The handoffs directory: `--dir`, else `$HANDOFFS_DIR`, else {@link DEFAULT_HANDOFFS_DIR}. */
export function handoffsDir(values: Parsed['values'], env: Io['env']): string {
  return resolveHome(String(values.dir ?? env.HANDOFFS_DIR ?? DEFAULT_HANDOFFS_DIR));
}

/** The store URL, when one is set: `--store`, else `$HANDOFFS_STORE`. A directory store otherwise. */
export function storeUrl(values: Parsed['values'], env: Io['env']): string | undefined {
  const url = values.store ?? env.HANDOFFS_STORE;
  return typeof url === 'string' && url !== '' ? url : undefined;
}

/**
 * The store a command works on: the backend `--store`/`$HANDOFFS_STORE` names, else the directory
 * (`--dir`/`$HANDOFFS_DIR`), with the legacy file (`--legacy-file`, '' for none) and warnings on stderr.
 */
export function openStore(values: Parsed['values'], io: Pick<Io, 'env' | 'stderr'>): HandoffStore {
  const onWarning = (message: string) => io.stderr.write(`handoffs: warning: ${message}\n`);
  const url = storeUrl(values, io.env);
  if (url !== undefined) return new HandoffStore({ store: url, onWarning });
  const legacy = values['legacy-file'] ?? DEFAULT_LEGACY_FILE;
  return new HandoffStore({
    dir: handoffsDir(values, io.env),
    legacyFile: legacy === '' ? undefined : resolveHome(String(legacy)),
    onWarning,
  });
}
