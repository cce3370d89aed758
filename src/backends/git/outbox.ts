import { join } from 'node:path';
import { errorCode } from '../../errors.js';
import { unlinkIfExists } from '../../fs/quiet.js';
import type { FileSystem } from '../../fs/types.js';
import { MAX_NAME_BYTES, fitSlug, formatHandoffName } from '../../handoff/name.js';
import type { Runtime } from '../../runtime.js';

/**
 * Handoffs on their way from this machine's queue to the remote. A queued handoff is a pending file
 * of the local directory store, deliverable here while the remote is out of reach. Before its
 * publishing push starts it is renamed into the outbox, where no local claim can see it: from then
 * on the push may have reached the remote, and delivering the local copy too could deliver it
 * twice. It leaves the outbox when the remote is known to hold it (deleted), or known not to
 * (renamed back into the queue).
 *
 * Entries are files `<id>_<unique>_<lease>_<pid>-<host>_<target>_<stamp>_<slug>.md`: the handoff's
 * identity (carried by every state commit on the remote, so a publish in doubt is recognised by it),
 * a tag of this name, who holds the entry until when (`0` and `0-0` when nobody does), and the
 * collision number of the remote name its last push aimed at (`0` before any). The target is
 * recorded before each push, so whoever publishes the entry later aims at the same name with the
 * same commit first: a push that is still landing and its repetition can then never make two
 * handoffs. Every move is a rename to a name with a fresh tag, which has never existed: one mover
 * wins, the others get ENOENT.
 */

/** An outbox entry taken apart. */
export interface OutboxEntry {
  /** The file name. */
  readonly file: string;
  /** The handoff's identity. */
  readonly id: string;
  readonly leaseUntil: number;
  readonly pid: number;
  readonly host: string;
  /** The collision number of the remote name the last push aimed at; 0 before any push. */
  readonly target: number;
  /** The stamp and slug of the local name it had. */
  readonly stamp: string;
  readonly slug: string;
}

const ENTRY =
  /^([a-z0-9]{1,32})_([a-z0-9]{1,32})_([a-z0-9]{1,12})_(\d{1,10})-([a-z0-9]{1,12})_(\d{1,9})_(\d{4}-\d{2}-\d{2}_\d{6})_([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\.md$/;
const DIR_MODE = 0o700;

/** The outbox of one queue directory. */
export class Outbox {
  readonly dir: string;
  readonly #queueDir: string;
  readonly #fs: FileSystem;
  readonly #runtime: Runtime;
  #ready: Promise<void> | undefined;

  constructor(options: { queueDir: string; fs: FileSystem; runtime: Runtime }) {
    this.#queueDir = options.queueDir;
    this.dir = join(options.queueDir, '.outbox');
    this.#fs = options.fs;
    this.#runtime = options.runtime;
  }

  /**
   * Moves a pending file of the queue into the outbox, held by this process until `leaseUntil`,
   * under a new identity. `undefined` when the file was gone (another process took it first).
   */
  async take(queueName: string, stamp: string, slug: string, leaseUntil: number): Promise<OutboxEntry | undefined> {
    await this.#ensureDir();
    const to = this.#name(this.#runtime.uniqueTag(), leaseUntil, this.#runtime.pid, this.#runtime.host, 0, stamp, slug);
    return (await this.#move(join(this.#queueDir, queueName), to)) ? parseEntry(to) : undefined;
  }

  /** Every entry, in no particular order. */
  async list(): Promise<OutboxEntry[]> {
    let names: string[];
    try {
      names = (await this.#fs.readdir(this.dir)).filter((entry) => entry.kind === 'file').map((entry) => entry.name);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw error;
    }
    return names.map(parseEntry).filter((entry): entry is OutboxEntry => entry !== undefined);
  }

  /** Whether this process may take `entry` over: nobody holds it, the lease ended, or the holder died here. */
  mayTake(entry: OutboxEntry, now: number): boolean {
    const runtime = this.#runtime;
    if (entry.pid === 0 || entry.leaseUntil <= now) return true;
    return entry.host === runtime.host && entry.pid !== runtime.pid && !runtime.isAlive(entry.pid);
  }

  /** Takes `entry` over until `leaseUntil`; `undefined` when another process moved it first. */
  async hold(entry: OutboxEntry, leaseUntil: number): Promise<OutboxEntry | undefined> {
    const to = this.#name(entry.id, leaseUntil, this.#runtime.pid, this.#runtime.host, entry.target, entry.stamp, entry.slug);
    return (await this.#move(join(this.dir, entry.file), to)) ? parseEntry(to) : undefined;
  }

  /** Records the remote name a held entry's next push aims at; `undefined` when it was taken from us. */
  async retarget(entry: OutboxEntry, target: number): Promise<OutboxEntry | undefined> {
    const to = this.#name(entry.id, entry.leaseUntil, entry.pid, entry.host, target, entry.stamp, entry.slug);
    return (await this.#move(join(this.dir, entry.file), to)) ? parseEntry(to) : undefined;
  }

  /** Lets go of an entry: any later command may publish it. */
  async free(entry: OutboxEntry): Promise<void> {
    await this.#move(join(this.dir, entry.file), this.#name(entry.id, 0, 0, '0', entry.target, entry.stamp, entry.slug));
  }

  /** The entry's bytes. */
  async read(entry: OutboxEntry): Promise<Uint8Array> {
    return this.#fs.readFile(join(this.dir, entry.file));
  }

  /** Deletes an entry the remote now holds. */
  async remove(entry: OutboxEntry): Promise<void> {
    await unlinkIfExists(this.#fs, join(this.dir, entry.file));
  }

  /**
   * Puts an entry the remote certainly does not hold back into the queue, pending and deliverable
   * here, under a tagged name that has never existed. Returns that name, or `undefined` if the
   * entry was gone.
   */
  async requeue(entry: OutboxEntry): Promise<string | undefined> {
    const name = formatHandoffName(entry.stamp, entry.slug, { tag: this.#runtime.uniqueTag() });
    return (await this.#move(join(this.dir, entry.file), join('..', name))) ? name : undefined;
  }

  #name(id: string, leaseUntil: number, pid: number, host: string, target: number, stamp: string, slug: string): string {
    const lease = Math.max(0, Math.trunc(leaseUntil)).toString(36);
    const head = `${id}_${this.#runtime.uniqueTag()}_${lease}_${pid}-${host}_${target}_${stamp}_`;
    return `${head}${fitSlug(slug, MAX_NAME_BYTES - head.length - 3)}.md`;
  }

  async #move(from: string, to: string): Promise<boolean> {
    try {
      await this.#fs.rename(from, join(this.dir, to));
      return true;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw error;
    }
  }

  async #ensureDir(): Promise<void> {
    this.#ready ??= this.#fs.mkdir(this.dir, { recursive: true, mode: DIR_MODE }).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }
}

/** Takes an entry's file name apart, or `undefined` for any other file. */
export function parseEntry(file: string): OutboxEntry | undefined {
  const fields = ENTRY.exec(file);
  if (!fields) return undefined;
  return {
    file,
    id: fields[1]!,
    leaseUntil: parseInt(fields[3]!, 36),
    pid: Number(fields[4]),
    host: fields[5]!,
    target: Number(fields[6]),
    stamp: fields[7]!,
    slug: fields[8]!,
  };
}
