import { basename, dirname, join } from 'node:path';
import { errorCode } from '../../errors.js';
import { lstatIfExists, unlinkIfExists } from '../../fs/quiet.js';
import { formatStamp, normalizeSlug } from '../../handoff/name.js';
import type { ClaimHolder } from '../types.js';
import { formatClaimName } from './names.js';
import type { DirectoryContext, Publisher } from './publish.js';

/**
 * The single-file handoff of the old pattern (`~/.claude/context-handoff.md`), moved into the
 * directory as a claim of the session that finds it, so it is delivered once like any handoff.
 *
 * Taking it is one rename, as for every claim: of two sessions migrating at once, one gets it.
 * Across devices a rename cannot reach the directory, so the file is first renamed to a private
 * name beside itself (the same one-winner step), then copied in as a claim, then the private name
 * is removed. A migrator killed in between leaves the private name, which the next migration takes
 * over once its holder is dead.
 */
export class LegacyFile {
  readonly #context: DirectoryContext;
  readonly #publisher: Publisher;
  readonly #path: string;
  readonly #privatePrefix: string;

  constructor(context: DirectoryContext, publisher: Publisher, path: string) {
    this.#context = context;
    this.#publisher = publisher;
    this.#path = path;
    this.#privatePrefix = `.${basename(path)}.handoffs-claim_`;
  }

  /** The legacy file's path. */
  get path(): string {
    return this.#path;
  }

  /**
   * Takes the legacy file (or an orphan of a killed migrator) as a claim of `holder`; returns the
   * claim's file name in the directory, or `undefined` when there is nothing to take or another
   * session took it first.
   */
  async claim(holder: ClaimHolder, expiresAt: number): Promise<string | undefined> {
    const { fs, runtime } = this.#context;
    const orphan = await this.#takeOrphan();
    if (orphan) return this.#copyIn(orphan.path, orphan.mtimeMs, holder, expiresAt);
    const info = await lstatIfExists(fs, this.#path);
    if (info === undefined || info.kind !== 'file' || info.size === 0) return undefined;
    const claim = this.#claimName(info.mtimeMs, holder, expiresAt);
    await this.#publisher.ensureDir();
    try {
      await fs.rename(this.#path, join(this.#context.dir, claim));
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') return undefined;
      if (code !== 'EXDEV') throw error;
      const taken = join(dirname(this.#path), `${this.#privatePrefix}${runtime.uniqueTag()}_${runtime.pid}-${runtime.host}`);
      try {
        await fs.rename(this.#path, taken);
      } catch (renameError) {
        if (errorCode(renameError) === 'ENOENT') return undefined;
        throw renameError;
      }
      return this.#copyIn(taken, info.mtimeMs, holder, expiresAt);
    }
    await fs.chmod(join(this.#context.dir, claim), 0o600).catch(() => {});
    return claim;
  }

  /** Copies a privately held legacy file into the directory as a claim, then drops the private name. */
  async #copyIn(taken: string, mtimeMs: number, holder: ClaimHolder, expiresAt: number): Promise<string> {
    const { fs, dir } = this.#context;
    const data = await fs.readFile(taken);
    const temp = await this.#publisher.createTemp(data);
    const claim = this.#claimName(mtimeMs, holder, expiresAt);
    try {
      await fs.rename(temp, join(dir, claim));
    } catch (error) {
      await unlinkIfExists(fs, temp).catch(() => {});
      throw error;
    }
    // Our own private name: nobody else takes it while this process lives.
    await unlinkIfExists(fs, taken).catch(() => {});
    return claim;
  }

  /** A private name left by a migrator that died on this host, renamed to one of ours. */
  async #takeOrphan(): Promise<{ path: string; mtimeMs: number } | undefined> {
    const { fs, runtime } = this.#context;
    const parent = dirname(this.#path);
    let entries;
    try {
      entries = await fs.readdir(parent);
    } catch {
      return undefined;
    }
    for (const entry of entries) {
      if (entry.kind !== 'file' || !entry.name.startsWith(this.#privatePrefix)) continue;
      const holder = /_(\d+)-([a-z0-9]+)$/.exec(entry.name);
      if (!holder || holder[2] !== runtime.host || runtime.isAlive(Number(holder[1]))) continue;
      const ours = join(parent, `${this.#privatePrefix}${runtime.uniqueTag()}_${runtime.pid}-${runtime.host}`);
      try {
        await fs.rename(join(parent, entry.name), ours);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') continue;
        throw error;
      }
      const info = await lstatIfExists(fs, ours);
      return { path: ours, mtimeMs: info?.mtimeMs ?? runtime.now().getTime() };
    }
    return undefined;
  }

  #claimName(mtimeMs: number, holder: ClaimHolder, expiresAt: number): string {
    let slug: string;
    try {
      slug = normalizeSlug(basename(this.#path).replace(/\.md$/i, ''));
    } catch {
      slug = 'legacy-handoff';
    }
    // Hand-written and legacy names are in local time, as a shell's `date` writes them.
    const stamp = formatStamp(new Date(mtimeMs), 'local');
    return formatClaimName({ ...holder, unique: this.#context.runtime.uniqueTag(), expiresAt, stamp, slug });
  }
}
