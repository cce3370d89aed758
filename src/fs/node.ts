import { constants } from 'node:fs';
import fse from 'fs-extra';
import { kindOf, toFileInfo } from './stat.js';
import type { FileSystem } from './types.js';

// O_NOFOLLOW does not exist on Windows; there `readFile` falls back to following links.
const READ_NO_FOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/**
 * The real-disk adapter, built on fs-extra so that opening many files at once backs off on
 * `EMFILE` (graceful-fs) instead of failing.
 *
 * @example
 * ```ts
 * const store = new HandoffStore({ dir: '/tmp/handoffs', fs: nodeFs() });
 * ```
 */
export function nodeFs(): FileSystem {
  return {
    async readFile(path) {
      const fd = await fse.open(path, READ_NO_FOLLOW);
      try {
        return await fse.readFile(fd as unknown as string);
      } finally {
        await fse.close(fd);
      }
    },
    async createFile(path, data, { mode, sync }) {
      const fd = await fse.open(path, 'wx', mode);
      try {
        let offset = 0;
        while (offset < data.byteLength) {
          const { bytesWritten } = await fse.write(fd, data, offset, data.byteLength - offset);
          offset += bytesWritten;
        }
        if (sync) await fse.fsync(fd);
      } finally {
        await fse.close(fd);
      }
    },
    link: (existingPath, newPath) => fse.link(existingPath, newPath),
    rename: (from, to) => fse.rename(from, to),
    unlink: (path) => fse.unlink(path),
    async readdir(path) {
      const entries = await fse.readdir(path, { withFileTypes: true });
      return entries.map((entry) => ({ name: entry.name, kind: kindOf(entry) }));
    },
    lstat: async (path) => toFileInfo(await fse.lstat(path)),
    stat: async (path) => toFileInfo(await fse.stat(path)),
    async mkdir(path, { recursive, mode }) {
      await fse.mkdir(path, { recursive, mode });
    },
    utimes: (path, atime, mtime) => fse.utimes(path, atime, mtime),
    chmod: (path, mode) => fse.chmod(path, mode),
    async syncDir(path) {
      // Directory fsync makes a new name durable on Linux; Windows cannot open a directory for it.
      if (process.platform === 'win32') return;
      const fd = await fse.open(path, constants.O_RDONLY);
      try {
        await fse.fsync(fd);
      } finally {
        await fse.close(fd);
      }
    },
  };
}
