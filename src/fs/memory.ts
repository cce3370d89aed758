import { constants } from 'node:fs';
import { Volume, createFsFromVolume } from 'memfs';
import { kindOf, toFileInfo } from './stat.js';
import type { FileSystem } from './types.js';

/** A {@link FileSystem} held in memory, with the memfs volume behind it for inspection. */
export interface MemoryFileSystem extends FileSystem {
  /** The memfs volume: seed it with `volume.fromJSON(...)`, inspect it with `volume.toJSON()`. */
  readonly volume: Volume;
}

/**
 * The in-memory adapter, on memfs. Behaves like `nodeFs()` for everything the stores rely on (the
 * same contract suite runs against both), so code under test cannot tell it is in memory.
 *
 * @param volume - an existing memfs volume to share; a fresh empty one when omitted.
 * @example
 * ```ts
 * const fs = memoryFs();
 * const store = new HandoffStore({ dir: '/handoffs', fs });
 * await store.write({ slug: 'demo', body: 'hello' });
 * console.log(fs.volume.toJSON());
 * ```
 */
export function memoryFs(volume: Volume = new Volume()): MemoryFileSystem {
  const fs = createFsFromVolume(volume).promises;
  return {
    volume,
    async readFile(path) {
      const handle = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        return new Uint8Array((await handle.readFile()) as Buffer);
      } finally {
        await handle.close();
      }
    },
    async createFile(path, data, { mode, sync }) {
      const handle = await fs.open(path, 'wx', mode);
      try {
        await handle.write(data);
        if (sync) await handle.datasync();
      } finally {
        await handle.close();
      }
    },
    link: (existingPath, newPath) => fs.link(existingPath, newPath),
    rename: (from, to) => fs.rename(from, to),
    unlink: (path) => fs.unlink(path),
    async readdir(path) {
      const entries = await fs.readdir(path, { withFileTypes: true });
      return (entries as Array<{ name: string | Buffer } & Parameters<typeof kindOf>[0]>).map(
        (entry) => ({ name: String(entry.name), kind: kindOf(entry) }),
      );
    },
    lstat: async (path) => toFileInfo(await fs.lstat(path)),
    stat: async (path) => toFileInfo(await fs.stat(path)),
    async mkdir(path, { recursive, mode }) {
      await fs.mkdir(path, { recursive, mode });
    },
    utimes: (path, atime, mtime) => fs.utimes(path, atime, mtime),
    chmod: (path, mode) => fs.chmod(path, mode),
    // Memory has no stable storage to flush to.
    syncDir: async () => {},
  };
}
