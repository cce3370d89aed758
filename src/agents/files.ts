import { constants } from 'node:fs';
import { access, lstat, open, readFile, readlink, realpath, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { errorCode } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { nodeFs } from '../fs/node.js';
import { formatStamp } from '../handoff/name.js';
import { InitError } from './errors.js';
import type { FileChange } from './types.js';

/**
 * The safe edit of a user's file: init writes only through this. The invariants:
 * - a symbolic link stays a link and its real target gets the change (a dotfiles layout keeps working);
 * - the file keeps its permission bits; a file with no owner write bit is refused, not forced;
 * - every changed file is first copied to `<file>.bak-<timestamp>`;
 * - the real target is replaced atomically (temp file beside it, fsync, rename);
 * - every refusal happens before the first write, so a refused run changes nothing.
 */

/** What is on disk at a path init may edit. */
export interface TargetFile {
  /** The path as named. */
  path: string;
  /** `path` with every symbolic link resolved (for a missing file: its folder resolved). */
  realPath: string;
  /** Whether `path` itself is a symbolic link. */
  link: boolean;
  /** The text, or undefined when there is no file. */
  text: string | undefined;
  /** The permission bits of the real file, when it exists. */
  mode: number | undefined;
}

/** Most links followed before a chain counts as a loop (Linux's own limit). */
const MAX_LINKS = 40;

/** Reads what is at `path`, following symbolic links to the real file (also a link whose target does not exist yet). */
export async function inspectTarget(path: string): Promise<TargetFile> {
  const named = resolve(path);
  let info;
  try {
    info = await lstat(named);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw io(`cannot read ${named}`, error, named);
    return { path: named, realPath: await realFolderPath(named), link: false, text: undefined, mode: undefined };
  }
  const realPath = info.isSymbolicLink() ? await followLinks(named) : named;
  try {
    const real = await stat(realPath);
    if (!real.isFile()) throw new InitError('INVALID_CONFIG', `${named} is not a regular file`, { path: named });
    return { path: named, realPath, link: info.isSymbolicLink(), text: await readFile(realPath, 'utf8'), mode: real.mode & 0o777 };
  } catch (error) {
    if (error instanceof InitError) throw error;
    if (errorCode(error) === 'ENOENT') return { path: named, realPath, link: true, text: undefined, mode: undefined };
    throw io(`cannot read ${realPath}`, error, named);
  }
}

/** Options of {@link applyChanges}. */
export interface ApplyOptions {
  /** The time in backup names. Default now. */
  now?: Date;
}

/** What {@link applyChanges} did. */
export interface ApplyResult {
  /** Backups made, `<file>.bak-<timestamp>` beside each changed path. */
  backups: string[];
  /** Files written or removed. */
  written: string[];
}

/**
 * Applies planned changes with the invariants above. Unchanged files are not touched (not even
 * opened for writing), so a second run changes no byte and no mtime. Refuses, before writing
 * anything, a target that cannot be written, and a file that changed on disk since the plan read it.
 */
export async function applyChanges(changes: readonly FileChange[], options: ApplyOptions = {}): Promise<ApplyResult> {
  const pending = changes.filter((change) => change.action !== 'unchanged');
  for (const change of pending) await checkWritable(change);
  const stamp = formatStamp(options.now ?? new Date(), 'local');
  const fs = nodeFs();
  const result: ApplyResult = { backups: [], written: [] };
  for (const change of pending) {
    let mode = change.dirMode === 0o700 ? 0o600 : 0o644;
    if (change.before !== undefined) {
      mode = (await stat(change.realPath)).mode & 0o777;
      result.backups.push(await backup(change.path, change.before, mode, stamp));
    }
    if (change.after === undefined) {
      await unlink(change.realPath).catch((error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw io(`cannot remove ${change.realPath}`, error, change.path);
      });
    } else {
      await fs.mkdir(dirname(change.realPath), { recursive: true, mode: change.dirMode ?? 0o755 });
      try {
        await writeFileAtomic(fs, change.realPath, Buffer.from(change.after, 'utf8'), { mode, durable: true });
      } catch (error) {
        throw io(`cannot write ${change.realPath}`, error, change.path);
      }
    }
    result.written.push(change.path);
  }
  return result;
}

async function checkWritable(change: FileChange): Promise<void> {
  const through = change.realPath === change.path ? '' : ` (a link to ${change.realPath})`;
  const current = await inspectTarget(change.path);
  if (current.text !== change.before) {
    throw new InitError('IO', `${change.path} changed since init read it; run init again`, { path: change.path });
  }
  if (current.mode !== undefined) {
    // Root may write anything, so the owner write bit is what says "leave this file alone"
    // (Nix and home-manager links point into a read-only store).
    const writable = (current.mode & 0o200) !== 0 && (await access(change.realPath, constants.W_OK).then(() => true, () => false));
    if (!writable) {
      throw new InitError('NOT_WRITABLE', `${change.path}${through} is read-only; init changes nothing. Make it writable or edit it by hand`, {
        path: change.path,
      });
    }
  }
  const folder = await nearestExistingFolder(dirname(change.realPath));
  const folderOk = await access(folder, constants.W_OK).then(() => true, () => false);
  if (!folderOk || (current.link && !(await exists(dirname(change.realPath))))) {
    throw new InitError('NOT_WRITABLE', `cannot write ${change.path}${through}: ${dirname(change.realPath)} is missing or not writable`, {
      path: change.path,
    });
  }
}

/**
 * Copies the file at `path` (through links) to `<path>.bak-<timestamp>` before something else
 * rewrites it (Codex's own config writer). Returns the backup, or undefined when there is no file.
 */
export async function backupFile(path: string, now: Date = new Date()): Promise<string | undefined> {
  const target = await inspectTarget(path);
  if (target.text === undefined) return undefined;
  return backup(target.path, target.text, target.mode ?? 0o600, formatStamp(now, 'local'));
}

async function backup(path: string, text: string, mode: number, stamp: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const name = `${path}.bak-${stamp}${attempt === 1 ? '' : `-${attempt}`}`;
    try {
      // Exclusive create: a second run within the same second never overwrites the first backup.
      const handle = await open(name, 'wx', mode);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      return name;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw io(`cannot back up ${path} to ${name}`, error, path);
    }
  }
}

/** Follows a chain of links; the last one may point at a file that does not exist yet. */
async function followLinks(path: string): Promise<string> {
  let current = path;
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    let info;
    try {
      info = await lstat(current);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return realFolderPath(current);
      throw io(`cannot read ${current}`, error, path);
    }
    if (!info.isSymbolicLink()) return realpath(current);
    current = resolve(dirname(current), await readlink(current));
  }
  throw new InitError('NOT_WRITABLE', `${path}: too many levels of symbolic links`, { path });
}

/** The real path of a file that may not exist: its folder resolved (when the folder exists), its name kept. */
async function realFolderPath(path: string): Promise<string> {
  const folder = await realpath(dirname(path)).catch(() => dirname(path));
  return join(folder, basename(path));
}

async function nearestExistingFolder(path: string): Promise<string> {
  for (let dir = path; ; dir = dirname(dir)) {
    if (await exists(dir)) return dir;
    if (dirname(dir) === dir) return dir;
  }
}

function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

function io(message: string, cause: unknown, path: string): InitError {
  const code = errorCode(cause);
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return new InitError('NOT_WRITABLE', `${message} (${code})`, { cause, path });
  return new InitError('IO', code ? `${message} (${code})` : message, { cause, path });
}
