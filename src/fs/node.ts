import { constants, watch } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { kindOf, toFileInfo } from './stat.js';
import type { FileSystem } from './types.js';

// O_NOFOLLOW does not exist on Windows; there `readFile` falls back to following links.
const READ_NO_FOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

type FsExtra = typeof import('fs-extra');
let fsExtra: Promise<FsExtra> | undefined;

/**
 * fs-extra, loaded on first use. Its graceful-fs layer queues `open` on EMFILE instead of failing,
 * which matters where many files are opened at once; loading it costs ~20 ms, which a session hook
 * that finds nothing to read should not pay.
 */
function loadFsExtra(): Promise<FsExtra> {
  fsExtra ??= import('fs-extra').then((module) => ((module as { default?: FsExtra }).default ?? module) as FsExtra);
  return fsExtra;
}

/**
 * The real-disk adapter. Operations that open file descriptors go through fs-extra (graceful-fs
 * backs off on `EMFILE` when many files are open); the others, which open none, call `node:fs`.
 *
 * @example
 * ```ts
 * const store = new HandoffStore({ dir: '/tmp/handoffs', fs: nodeFs() });
 * ```
 */
export function nodeFs(): FileSystem {
  return {
    async readFile(path) {
      const fse = await loadFsExtra();
      const fd = await fse.open(path, READ_NO_FOLLOW);
      try {
        return await fse.readFile(fd as unknown as string);
      } finally {
        await fse.close(fd);
      }
    },
    async createFile(path, data, { mode, sync }) {
      const fse = await loadFsExtra();
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
    link: (existingPath, newPath) => fsp.link(existingPath, newPath),
    rename: (from, to) => fsp.rename(from, to),
    unlink: (path) => fsp.unlink(path),
    async readdir(path) {
      // Node's own readdir, not graceful-fs's, which sorts every listing: an n log n cost on each
      // scan of a directory holding thousands of consumed handoffs. EMFILE is retried by the stores.
      const entries = await fsp.readdir(path, { withFileTypes: true });
      return entries.map((entry) => ({ name: entry.name, kind: kindOf(entry) }));
    },
    lstat: async (path) => toFileInfo(await fsp.lstat(path)),
    stat: async (path) => toFileInfo(await fsp.stat(path)),
    async mkdir(path, { recursive, mode }) {
      await fsp.mkdir(path, { recursive, mode });
    },
    utimes: (path, atime, mtime) => fsp.utimes(path, atime, mtime),
    chmod: (path, mode) => fsp.chmod(path, mode),
    async watchDir(path, onChange, signal) {
      // Events only wake the watcher, which then lists the directory: they may be coalesced or
      // spurious, never trusted for what changed.
      const watcher = watch(path, { signal, persistent: false }, onChange);
      watcher.on('error', () => {});
    },
    async syncDir(path) {
      // Directory fsync makes a new name durable on Linux; Windows cannot open a directory for it.
      if (process.platform === 'win32') return;
      const fse = await loadFsExtra();
      const fd = await fse.open(path, constants.O_RDONLY);
      try {
        await fse.fsync(fd);
      } finally {
        await fse.close(fd);
      }
    },
  };
}
