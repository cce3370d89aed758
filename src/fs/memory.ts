import { constants } from 'node:fs';
import { createRequire } from 'node:module';
import { HandoffError } from '../errors.js';
import { kindOf, toFileInfo } from './stat.js';
import type { FileSystem } from './types.js';

/**
 * The memfs volume behind a {@link MemoryFileSystem}: the members most tests need, typed here so
 * that `handoffs` does not depend on memfs's types. It is a memfs `Volume`; cast it to use more.
 */
export interface MemoryVolume {
  /** The files under `paths` (default: all) as `{ path: text }`; directories as `null`. */
  toJSON(paths?: string | string[], json?: object, isRelative?: boolean): Record<string, string | null>;
  /** Adds files (`{ path: text }`, `null` for a directory), relative to `cwd`. */
  fromJSON(json: Record<string, string | null>, cwd?: string): void;
  /** Removes every file and directory. */
  reset(): void;
}

/** A {@link FileSystem} held in memory, with the memfs volume behind it for inspection. */
export interface MemoryFileSystem extends FileSystem {
  /** The memfs volume: seed it with `volume.fromJSON(...)`, inspect it with `volume.toJSON()`. */
  readonly volume: MemoryVolume;
}

type Memfs = typeof import('memfs');
let memfs: Memfs | undefined;

/**
 * memfs, loaded on first use: it is an optional peer dependency, installed only by those who test
 * with `memoryFs()` (it is most of what installing handoffs would otherwise bring).
 *
 * @throws HandoffError `MISSING_DEPENDENCY` when it is not installed.
 */
function loadMemfs(): Memfs {
  if (memfs) return memfs;
  try {
    memfs = createRequire(import.meta.url)('memfs') as Memfs;
    return memfs;
  } catch (error) {
    throw new HandoffError('MISSING_DEPENDENCY', "memoryFs() needs the 'memfs' package: npm install --save-dev memfs", { cause: error });
  }
}

/**
 * The in-memory adapter, on memfs. Behaves like `nodeFs()` for everything the stores rely on (the
 * same contract suite runs against both), so code under test cannot tell it is in memory.
 *
 * memfs is an optional peer dependency: `npm install --save-dev memfs` to use this adapter.
 *
 * @param volume - an existing memfs volume to share; a fresh empty one when omitted.
 * @throws HandoffError `MISSING_DEPENDENCY` when memfs is not installed.
 * @example
 * ```ts
 * const fs = memoryFs();
 * const store = new HandoffStore({ dir: '/handoffs', fs });
 * await store.write({ slug: 'demo', body: 'hello' });
 * console.log(fs.volume.toJSON());
 * ```
 */
export function memoryFs(volume?: MemoryVolume): MemoryFileSystem {
  const { Volume, createFsFromVolume } = loadMemfs();
  const vol = (volume ?? new Volume()) as InstanceType<Memfs['Volume']>;
  const fs = createFsFromVolume(vol).promises;
  return {
    volume: vol as unknown as MemoryVolume,
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
