import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { errorCode } from '../errors.js';
import type { FileSystem } from './types.js';

let counter = 0;

/** Temporary files of {@link writeFileAtomic}: hidden, and never a `.md` name a listing could take. */
export const ATOMIC_TEMP_PATTERN = /^\..+\.[0-9]+-(?:[0-9]+-[0-9a-z]{8,}|0-[0-9a-z]{8,}|[0-9a-z]{8,})\.tmp$/;

/**
 * Replaces `path` with `data` so that a reader sees the old file or the new one, never a mix: the
 * data goes to a unique temporary file beside the target (same directory, so same filesystem),
 * is fsynced when `durable`, and is renamed over the target. The temporary file is removed on
 * every failure path. `tag` makes the temporary name (default: a counter and random bytes).
 */
export async function writeFileAtomic(
  fs: FileSystem,
  path: string,
  data: Uint8Array,
  options: { mode: number; durable: boolean; tag?: string },
): Promise<void> {
  const dir = dirname(path);
  const unique = options.tag ?? `${counter++}-${randomBytes(4).toString('hex')}`;
  const temp = join(dir, `.${basename(path)}.${process.pid}-${unique}.tmp`);
  try {
    await fs.createFile(temp, data, { mode: options.mode, sync: options.durable });
    await fs.rename(temp, path);
  } catch (error) {
    await fs.unlink(temp).catch((unlinkError: unknown) => {
      if (errorCode(unlinkError) !== 'ENOENT') throw unlinkError;
    });
    throw error;
  }
  if (options.durable) await fs.syncDir(dir);
}
