import { join } from 'node:path';
import { HandoffError, errorCode } from '../../errors.js';
import { unlinkIfExists } from '../../fs/quiet.js';
import type { FileSystem } from '../../fs/types.js';
import { formatHandoffName } from '../../handoff/name.js';
import type { Runtime } from '../../runtime.js';

/** What the directory store's file operations share. */
export interface DirectoryContext {
  readonly dir: string;
  readonly fs: FileSystem;
  readonly runtime: Runtime;
  /** Fsync files before publishing and the directory after. */
  readonly durable: boolean;
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
/** Collision suffixes tried before giving up: far above any real same-second burst. */
const MAX_COLLISIONS = 100_000;

/**
 * Writes new files into the directory: the whole text under a hidden temporary name no listing
 * returns, then a hard link to the final name, which fails rather than replace anything.
 */
export class Publisher {
  readonly #context: DirectoryContext;
  #dirReady: Promise<void> | undefined;
  /** The collision number last published for `stamp_slug`, within the current second only. */
  #lastCollision: { key: string; collision: number } | undefined;

  constructor(context: DirectoryContext) {
    this.#context = context;
  }

  /** Creates the directory (0700) once per store; again after it was removed. */
  async ensureDir(): Promise<void> {
    this.#dirReady ??= this.#context.fs.mkdir(this.#context.dir, { recursive: true, mode: DIR_MODE }).catch((error: unknown) => {
      this.#dirReady = undefined;
      throw error;
    });
    return this.#dirReady;
  }

  /** Writes `data` in full (fsynced when durable) to a new hidden temporary file; returns its path. */
  async createTemp(data: Uint8Array): Promise<string> {
    const { fs, runtime, dir, durable } = this.#context;
    const temp = join(dir, `.handoff-${runtime.pid}-${runtime.uniqueTag()}.tmp`);
    try {
      await fs.createFile(temp, data, { mode: FILE_MODE, sync: durable });
    } catch (error) {
      await unlinkIfExists(fs, temp);
      if (errorCode(error) !== 'ENOENT') throw error;
      // The directory was removed after we created it: make it again, once.
      this.#dirReady = undefined;
      await this.ensureDir();
      await fs.createFile(temp, data, { mode: FILE_MODE, sync: durable }).catch(async (retryError: unknown) => {
        await unlinkIfExists(fs, temp);
        throw retryError;
      });
    }
    return temp;
  }

  /**
   * Publishes `data` under the first free name `<stamp>_<slug>[-N].md` and returns it. A name is
   * free when `link` can create it; `link` never replaces, so no writer can overwrite another.
   */
  async publish(data: Uint8Array, stamp: string, slug: string): Promise<string> {
    const { fs, dir, durable } = this.#context;
    await this.ensureDir();
    const temp = await this.createTemp(data);
    let published: string;
    try {
      published = await this.#link(temp, stamp, slug);
    } catch (error) {
      await unlinkIfExists(fs, temp).catch(() => {});
      throw error;
    }
    // Published. A temporary file that cannot be removed is no reason to report failure (the caller
    // would write again); cleanup sweeps it later. A failed directory fsync is reported: the handoff
    // exists but might not survive a power loss, which the caller should know.
    await unlinkIfExists(fs, temp).catch(() => {});
    if (durable) await fs.syncDir(dir);
    return published;
  }

  async #link(source: string, stamp: string, slug: string): Promise<string> {
    // Names are rarely freed within a second, so probing starts past the last one this store took:
    // a burst of same-slug writes costs one probe each, not one per earlier write.
    const key = `${stamp}_${slug}`;
    const first = this.#lastCollision?.key === key ? this.#lastCollision.collision + 1 : 1;
    for (let collision = first; collision < first + MAX_COLLISIONS; collision++) {
      const name = formatHandoffName(stamp, slug, { collision });
      try {
        await this.#context.fs.link(source, join(this.#context.dir, name));
        this.#lastCollision = { key, collision };
        return name;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
    }
    throw new HandoffError('IO', `no free name for ${key} after ${MAX_COLLISIONS} tries`, { path: this.#context.dir });
  }
}
