import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '../../errors.js';
import type { ObjectFormat } from './objects.js';

/**
 * The git store's own bare repository: an object database and nothing else. It has no refs, no
 * remote, no hooks and no work tree; it is never the user's repository, so nothing the store does
 * can touch the user's branches, index, working tree or configuration. Written by hand (a few
 * files) rather than by `git init`, so opening the store starts no process.
 *
 * Fetches run in a scratch repository per call (`fetch/<pid>-<tag>`) whose objects are this one's:
 * refs a fetch writes are its own, so concurrent fetches on one machine never contend for a ref lock.
 */

/** Creates the repository at `gitDir` unless it exists; safe against concurrent creators. */
export async function ensureRepository(gitDir: string, format: ObjectFormat): Promise<void> {
  if (await exists(join(gitDir, 'HEAD'))) return;
  const parent = join(gitDir, '..');
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const temp = join(parent, `.git-store-new-${process.pid}-${randomBytes(6).toString('hex')}`);
  await writeSkeleton(temp, format, true);
  try {
    // A directory is renamed only onto a missing or empty one: of concurrent creators one wins.
    await rename(temp, gitDir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (!['EEXIST', 'ENOTEMPTY', 'EPERM'].includes(errorCode(error) ?? '') || !(await exists(join(gitDir, 'HEAD')))) throw error;
  }
}

/**
 * A scratch repository for one fetch, sharing `gitDir`'s objects through `GIT_OBJECT_DIRECTORY`.
 * `known` are object ids already here, written as refs so git neither asks for them nor for what
 * they reach.
 */
export async function scratchRepository(gitDir: string, format: ObjectFormat, known: readonly string[]): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = join(gitDir, 'fetch', `${process.pid}-${randomBytes(6).toString('hex')}`);
  await writeSkeleton(dir, format, false);
  if (known.length > 0) {
    await writeFile(join(dir, 'packed-refs'), known.map((id, index) => `${id} refs/known/${index}\n`).join(''), { mode: 0o600 });
  }
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Deletes scratch repositories older than `maxAgeMs` (left by killed fetches). */
export async function sweepScratch(gitDir: string, maxAgeMs: number): Promise<void> {
  const root = join(gitDir, 'fetch');
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return;
  }
  const cutoff = Date.now() - maxAgeMs;
  for (const name of names) {
    const info = await stat(join(root, name)).catch(() => undefined);
    if (info && info.mtimeMs < cutoff) await rm(join(root, name), { recursive: true, force: true });
  }
}

async function writeSkeleton(dir: string, format: ObjectFormat, withObjects: boolean): Promise<void> {
  await mkdir(join(dir, 'refs', 'heads'), { recursive: true, mode: 0o700 });
  await mkdir(join(dir, 'refs', 'tags'), { recursive: true, mode: 0o700 });
  if (withObjects) {
    await mkdir(join(dir, 'objects', 'info'), { recursive: true, mode: 0o700 });
    await mkdir(join(dir, 'objects', 'pack'), { recursive: true, mode: 0o700 });
  }
  await writeFile(join(dir, 'HEAD'), 'ref: refs/heads/main\n', { mode: 0o600 });
  const config = [
    '[core]',
    `\trepositoryformatversion = ${format === 'sha1' ? 0 : 1}`,
    '\tbare = true',
    ...(format === 'sha1' ? [] : ['[extensions]', '\tobjectformat = sha256']),
    '',
  ].join('\n');
  await writeFile(join(dir, 'config'), config, { mode: 0o600 });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
