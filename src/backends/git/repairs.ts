import { join } from 'node:path';
import { errorCode } from '../../errors.js';
import { unlinkIfExists } from '../../fs/quiet.js';
import type { FileSystem } from '../../fs/types.js';

/**
 * Repairs owed to the remote after a push whose outcome is unknown. A claim or acknowledgement
 * push that fails after it may have reached the remote leaves handoffs this process will not
 * deliver; if the push did apply, they would sit claimed until their lease ends, or consumed and
 * never read. Each is recorded here as "if ref R holds one of these values, make it pending again":
 * the claim's value, and for an acknowledgement also the consumed value it may have left. The next
 * command that reaches the remote does it with a compare-and-swap on that value, which only a
 * state this process wrote (and then gave up on) can match.
 *
 * A repair is dropped only by a look at the remote taken after it was recorded that shows neither
 * value: a look from before could predate the push landing. Once the ref holds neither, it never
 * will again: every value is unique, and the acknowledgement could only have replaced the claim.
 *
 * A repair is an empty file `<claim value>_<consumed value or 0>_<leaf>` in `<queue>/.repairs`;
 * its mtime says when it was recorded.
 */

/** One owed repair. */
export interface Repair {
  readonly file: string;
  /** The ref's leaf (the handoff's remote name without `.md`). */
  readonly leaf: string;
  /** The values the in-doubt push may have left (claimed, then possibly consumed). */
  readonly values: readonly string[];
  /** When it was recorded (the file's mtime, this machine's clock). */
  readonly recordedAt: number;
}

const ID = '[0-9a-f]{40}(?:[0-9a-f]{24})?';
const REPAIR = new RegExp(`^(${ID})_(${ID}|0)_(.+)$`);

/** The repairs of one queue directory. */
export class Repairs {
  readonly dir: string;
  readonly #fs: FileSystem;

  constructor(options: { queueDir: string; fs: FileSystem }) {
    this.dir = join(options.queueDir, '.repairs');
    this.#fs = options.fs;
  }

  /** Records repairs durably, before the caller reports anything. */
  async add(repairs: ReadonlyArray<{ leaf: string; claimed: string; consumed?: string }>): Promise<void> {
    if (repairs.length === 0) return;
    await this.#fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const { leaf, claimed, consumed } of repairs) {
      try {
        await this.#fs.createFile(join(this.dir, `${claimed}_${consumed ?? '0'}_${leaf}`), new Uint8Array(), { mode: 0o600, sync: true });
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
    }
    await this.#fs.syncDir(this.dir);
  }

  /** Every owed repair. */
  async list(): Promise<Repair[]> {
    let names: string[];
    try {
      names = (await this.#fs.readdir(this.dir)).filter((entry) => entry.kind === 'file').map((entry) => entry.name);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw error;
    }
    const repairs: Repair[] = [];
    for (const file of names) {
      const fields = REPAIR.exec(file);
      if (!fields) continue;
      const info = await this.#fs.lstat(join(this.dir, file)).catch(() => undefined);
      if (!info) continue;
      const values = fields[2] === '0' ? [fields[1]!] : [fields[1]!, fields[2]!];
      repairs.push({ file, leaf: fields[3]!, values, recordedAt: info.mtimeMs });
    }
    return repairs;
  }

  /** Drops a repair that was done or can no longer be needed. */
  async remove(repair: Repair): Promise<void> {
    await unlinkIfExists(this.#fs, join(this.dir, repair.file));
  }
}
