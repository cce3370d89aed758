import type { EntryKind, FileInfo } from './types.js';

/** The subset of `fs.Stats` / `fs.Dirent` that both Node and memfs provide. */
interface KindSource {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

interface StatSource extends KindSource {
  size: number | bigint;
  mtimeMs: number | bigint;
  mode: number | bigint;
  dev: number | bigint;
  ino: number | bigint;
}

/** Maps a Node-shaped stat or dirent to an {@link EntryKind}. */
export function kindOf(source: KindSource): EntryKind {
  if (source.isSymbolicLink()) return 'symlink';
  if (source.isFile()) return 'file';
  if (source.isDirectory()) return 'directory';
  return 'other';
}

/** Maps a Node-shaped stat to the plain {@link FileInfo} the library reads. */
export function toFileInfo(stats: StatSource): FileInfo {
  return {
    kind: kindOf(stats),
    size: Number(stats.size),
    mtimeMs: Number(stats.mtimeMs),
    mode: Number(stats.mode),
    dev: Number(stats.dev),
    ino: Number(stats.ino),
  };
}
