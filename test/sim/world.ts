import { Volume } from 'memfs';
import { basename, dirname } from 'node:path';
import type { DirEntry, EntryKind, FileInfo, FileSystem } from '../../src/index.js';
import type { Runtime } from '../../src/runtime.js';

/**
 * The simulated machine: one memfs volume, a virtual clock, which simulated processes are alive,
 * and what the oracle saw happen to handoff contents. Everything here is synchronous and
 * deterministic; the scheduler decides when each operation runs.
 */

/** Something the oracle saw: a handoff's content losing its last name, or a consumed one going back to pending. */
export type Effect =
  | { readonly kind: 'destroyed'; readonly id: string; readonly name: string; readonly actor: string; readonly by: 'unlink' | 'replace' }
  | { readonly kind: 'restored'; readonly id: string; readonly actor: string };

/** The folders handoffs and memory live in; the oracle counts links within them. */
export const HANDOFFS = '/h';
export const LEGACY_DIR = '/home';
export const MEMORY = '/m';
const WATCHED = [HANDOFFS, LEGACY_DIR, MEMORY];

export class World {
  readonly volume = new Volume();
  clock: number;
  readonly alive = new Set<number>();
  readonly effects: Effect[] = [];
  /** A rename between these folder prefixes fails with EXDEV, as across filesystems. */
  crossDevice: readonly string[] = [];
  /** Counts every change of state (a file changed, the clock moved, a process died). */
  version = 0;

  constructor(clock: number) {
    this.clock = clock;
    for (const dir of WATCHED) this.volume.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** The handoff id a file holds (`begin-<id>` in its body), if it is a handoff of the simulation. */
  idOf(path: string): string | undefined {
    try {
      const text = String(this.volume.readFileSync(path, 'utf8'));
      return /(?:^|\n)begin-([\w.-]+)\n/.exec(text)?.[1];
    } catch {
      return undefined;
    }
  }

  /** How many names in the watched folders point at the inode of `path`. memfs miscounts nlink on replacing renames. */
  linksOf(path: string): number {
    let ino: number;
    try {
      ino = Number(this.volume.lstatSync(path).ino);
    } catch {
      return 0;
    }
    let links = 0;
    for (const dir of WATCHED) {
      for (const name of this.volume.readdirSync(dir) as string[]) {
        try {
          if (Number(this.volume.lstatSync(`${dir}/${name}`).ino) === ino) links++;
        } catch {
          // a directory entry that is not there any more
        }
      }
    }
    return links;
  }

  /** Whether a file other than `path` in the watched folders holds handoff `id`. */
  heldElsewhere(id: string, path: string): boolean {
    for (const dir of WATCHED) {
      for (const name of this.volume.readdirSync(dir) as string[]) {
        const other = `${dir}/${name}`;
        if (other !== path && this.idOf(other) === id) return true;
      }
    }
    return false;
  }

  /**
   * A deterministic fingerprint of the whole volume: every path, kind, mode, mtime, content, and
   * which names share an inode (numbered by first appearance, so the same state hashes the same
   * whatever order produced it).
   */
  fingerprint(): string {
    const inodes = new Map<number, number>();
    const parts: string[] = [];
    const walk = (dir: string): void => {
      for (const name of (this.volume.readdirSync(dir) as string[]).map(String).sort()) {
        const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
        const info = this.volume.lstatSync(path);
        if (info.isDirectory()) {
          parts.push(`d${path}`);
          walk(path);
          continue;
        }
        const ino = Number(info.ino);
        if (!inodes.has(ino)) inodes.set(ino, inodes.size);
        const content = info.isFile() ? hash(String(this.volume.readFileSync(path, 'latin1'))) : 'l';
        parts.push(`f${path}:${inodes.get(ino)}:${Number(info.mtimeMs)}:${Number(info.mode) & 0o777}:${content}`);
      }
    };
    walk('/');
    return hash(parts.join('\n'));
  }
}

/** A fast, well-mixed 53-bit string hash (cyrb53), as a base-36 string. */
export function hash(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

function kindOf(info: { isSymbolicLink(): boolean; isFile(): boolean; isDirectory(): boolean }): EntryKind {
  if (info.isSymbolicLink()) return 'symlink';
  if (info.isFile()) return 'file';
  return info.isDirectory() ? 'directory' : 'other';
}

interface StatLike {
  isSymbolicLink(): boolean;
  isFile(): boolean;
  isDirectory(): boolean;
  size: number | bigint;
  mtimeMs: number | bigint;
  mode: number | bigint;
  dev: number | bigint;
  ino: number | bigint;
}

function fileInfo(stats: StatLike): FileInfo {
  return {
    kind: kindOf(stats),
    size: Number(stats.size),
    mtimeMs: Number(stats.mtimeMs),
    mode: Number(stats.mode),
    dev: Number(stats.dev),
    ino: Number(stats.ino),
  };
}

function failure(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

/** Writers' temporary files (the directory store's TEMP_PATTERN). */
const TEMP_NAME = /^\.handoff-[0-9]+-(?:[0-9]+-)?[0-9a-z]+\.tmp$/;

/** How an actor's filesystem calls reach the world: each is a step the scheduler must grant. */
export type Gate = (op: string, args: readonly unknown[], run: () => unknown) => Promise<unknown>;

/**
 * A `FileSystem` over the world's volume for one actor. Every operation that reads or changes
 * shared state goes through `gate` (a scheduling point) and then runs synchronously, so it is one
 * atomic step. `syncDir` and `stat` (of the folders, whose mode never changes) are not scheduling
 * points: they can observe nothing another actor does.
 */
export function simFs(world: World, actor: string, gate: Gate, options: { seesTemporaryFiles: boolean } = { seesTemporaryFiles: true }): FileSystem {
  const v = world.volume;
  const step = <T>(op: string, args: readonly unknown[], run: () => T) => gate(op, args, run) as Promise<T>;
  // A change of shared state: a sleeping actor may wake after one.
  const change = <T>(op: string, args: readonly unknown[], run: () => T) =>
    step(op, args, () => {
      const value = run();
      world.version++;
      return value;
    });
  // Content is destroyed when its last name goes and no other file holds it (a copy across
  // devices holds the same content in another inode).
  const destroyIfLast = (path: string, by: 'unlink' | 'replace') => {
    if (world.linksOf(path) !== 1) return;
    const id = world.idOf(path);
    if (id !== undefined && !world.heldElsewhere(id, path)) world.effects.push({ kind: 'destroyed', id, name: basename(path), actor, by });
  };
  return {
    readFile: (path) =>
      step('readFile', [path], () => {
        if (v.lstatSync(path).isSymbolicLink()) throw failure('ELOOP', path);
        return new Uint8Array(v.readFileSync(path) as Buffer);
      }),
    createFile: (path, data, { mode }) =>
      change('createFile', [path, data.byteLength], () => {
        const fd = v.openSync(path, 'wx', mode);
        try {
          v.writeSync(fd, data);
        } finally {
          v.closeSync(fd);
        }
        // memfs stamps real time; the simulated clock is the only clock here.
        const now = new Date(world.clock);
        v.utimesSync(path, now, now);
      }),
    link: (existing, created) => change('link', [existing, created], () => void v.linkSync(existing, created)),
    rename: (from, to) =>
      change('rename', [from, to], () => {
        const crossing = world.crossDevice.some((prefix) => from.startsWith(prefix) !== to.startsWith(prefix));
        if (crossing) throw failure('EXDEV', `${from} -> ${to}`);
        v.lstatSync(from);
        let replaced = false;
        try {
          replaced = Number(v.lstatSync(to).ino) !== Number(v.lstatSync(from).ino);
        } catch {
          replaced = false;
        }
        if (replaced) destroyIfLast(to, 'replace');
        const wasConsumed = /_done\.md$/.test(from) && dirname(from) === HANDOFFS;
        v.renameSync(from, to);
        if (wasConsumed && /^\d{4}-.*(?<!_done)\.md$/.test(basename(to))) {
          const id = world.idOf(to);
          if (id !== undefined) world.effects.push({ kind: 'restored', id, actor });
        }
      }),
    unlink: (path) =>
      change('unlink', [path], () => {
        v.lstatSync(path);
        destroyIfLast(path, 'unlink');
        v.unlinkSync(path);
      }),
    readdir: (path) =>
      step('readdir', [path], (): DirEntry[] =>
        (v.readdirSync(path, { withFileTypes: true }) as Array<{ name: unknown } & Parameters<typeof kindOf>[0]>)
          .map((entry) => ({ name: String(entry.name), kind: kindOf(entry) }))
          // The one abstraction of the search (docs/RELIABILITY.md): only cleanup reads writers'
          // temporary files from a listing, so other actors' listings leave them out. Otherwise
          // whether a listing came before or after a writer's temporary file would split every
          // state in two, for no difference in behaviour.
          .filter((entry) => options.seesTemporaryFiles || !TEMP_NAME.test(entry.name))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      ),
    lstat: (path) => step('lstat', [path], () => fileInfo(v.lstatSync(path) as StatLike)),
    stat: async (path) => fileInfo(v.statSync(path) as StatLike),
    mkdir: (path, { recursive, mode }) => change('mkdir', [path], () => void v.mkdirSync(path, { recursive, mode })),
    utimes: (path, atime, mtime) => change('utimes', [path, mtime.getTime()], () => v.utimesSync(path, atime, mtime)),
    chmod: (path, mode) =>
      change('chmod', [path, mode], () => {
        // POSIX chmod changes ctime only; memfs also stamps mtime with the real clock.
        const { atime, mtime } = v.lstatSync(path);
        v.chmodSync(path, mode);
        v.utimesSync(path, atime, mtime);
      }),
    syncDir: async () => {},
  };
}

/** A simulated process's runtime: the world's clock, its own pid, tags that depend only on its own history. */
export function simRuntime(world: World, pid: number, record: (entry: string) => void, sleep: (ms: number) => Promise<void>): Runtime {
  let counter = 0;
  let seed = pid * 2654435761;
  return {
    now: () => {
      record(`now:${world.clock}`);
      return new Date(world.clock);
    },
    pid,
    host: 'simhost',
    isAlive: (other) => {
      const alive = world.alive.has(other);
      record(`alive:${other}:${alive}`);
      return alive;
    },
    // Unique per process and call: `<pid>` and a counter in fixed widths, so any 8-character prefix differs.
    uniqueTag: () => `${pid.toString(36).padStart(3, '0')}${(counter++).toString(36).padStart(5, '0')}00`,
    random: () => {
      seed = (Math.imul(seed ^ (seed >>> 15), 2246822507) + 0x6d2b79f5) | 0;
      return ((seed >>> 0) % 1_000_000) / 1_000_000;
    },
    sleep,
  };
}
