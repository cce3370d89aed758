/**
 * The adapter boundary: the few filesystem operations the library needs, in Node's own shape.
 *
 * Adapters reject with errors that carry Node's `code` (`ENOENT`, `EEXIST`, `ELOOP`, …) so callers
 * branch on codes, never on messages. Everything the stores promise rests on three primitives:
 * exclusive create, `link` failing with `EEXIST` when the new name is taken, and `rename` within
 * one directory being atomic.
 */

/** What kind of entry a directory listing or a stat found. */
export type EntryKind = 'file' | 'directory' | 'symlink' | 'other';

/** One entry of {@link FileSystem.readdir}. */
export interface DirEntry {
  /** The entry's name inside the directory (no path). */
  readonly name: string;
  /** The entry's own kind; a symbolic link is `'symlink'`, never its target's kind. */
  readonly kind: EntryKind;
}

/** The fields of a stat result that the library reads. */
export interface FileInfo {
  readonly kind: EntryKind;
  /** Size in bytes. */
  readonly size: number;
  /** Last modification time, milliseconds since the epoch. */
  readonly mtimeMs: number;
  /** Permission bits and file type, as in `fs.Stats#mode`. */
  readonly mode: number;
  /** Device and inode: two names with the same pair are hard links to one file. */
  readonly dev: number;
  readonly ino: number;
}

/** Options of {@link FileSystem.createFile}. */
export interface CreateFileOptions {
  /** Permission bits for the new file, e.g. `0o600`. */
  readonly mode: number;
  /** Flush the data to stable storage (fsync) before resolving. */
  readonly sync: boolean;
}

/**
 * The filesystem operations `HandoffStore` and `MemoryIndex` use. Implement it to run the stores
 * on any storage; `nodeFs()` and `memoryFs()` are the two built in, and `test/fs-contract.test.ts`
 * is the suite a new adapter must pass.
 */
export interface FileSystem {
  /** Reads a whole file. Must not follow a symbolic link at the last component: rejects `ELOOP`. */
  readFile(path: string): Promise<Uint8Array>;
  /**
   * Creates a new file, writes all of `data`, optionally fsyncs, and closes it. Rejects `EEXIST`
   * when any entry already has that name (never truncates or follows an existing one).
   */
  createFile(path: string, data: Uint8Array, options: CreateFileOptions): Promise<void>;
  /** Adds the hard link `newPath` to `existingPath`. Rejects `EEXIST` when `newPath` is taken. */
  link(existingPath: string, newPath: string): Promise<void>;
  /** Atomically renames, replacing `to` if it exists. Rejects `ENOENT` when `from` is gone. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a name (a symbolic link itself, never its target). */
  unlink(path: string): Promise<void>;
  /** Lists a directory, in no particular order, without `.` and `..`. */
  readdir(path: string): Promise<DirEntry[]>;
  /** Stats a path without following a symbolic link at the last component. */
  lstat(path: string): Promise<FileInfo>;
  /** Stats a path, following symbolic links. */
  stat(path: string): Promise<FileInfo>;
  /** Creates a directory with `mode`; with `recursive`, creates parents and accepts an existing one. */
  mkdir(path: string, options: { recursive: boolean; mode: number }): Promise<void>;
  /** Sets access and modification times. */
  utimes(path: string, atime: Date, mtime: Date): Promise<void>;
  /** Sets permission bits. */
  chmod(path: string, mode: number): Promise<void>;
  /** Flushes a directory's entries to stable storage where the platform can; otherwise a no-op. */
  syncDir(path: string): Promise<void>;
  /**
   * Calls `onChange` whenever an entry of the directory `path` may have changed, until `signal`
   * aborts; rejects when the directory cannot be watched. Optional: without it, watchers poll.
   */
  watchDir?(path: string, onChange: () => void, signal: AbortSignal): Promise<void>;
}
