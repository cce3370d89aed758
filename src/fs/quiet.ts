import { errorCode } from '../errors.js';
import type { FileInfo, FileSystem } from './types.js';

/**
 * Operations where a missing file is an answer, not an error: in a directory many processes
 * share, a file can vanish between two calls, and that is the normal course of a race.
 */

/** `lstat`, or `undefined` when nothing is there. */
export async function lstatIfExists(fs: FileSystem, path: string): Promise<FileInfo | undefined> {
  try {
    return await fs.lstat(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** `unlink`, treating a file already gone as done. Returns whether this call removed it. */
export async function unlinkIfExists(fs: FileSystem, path: string): Promise<boolean> {
  try {
    await fs.unlink(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}
