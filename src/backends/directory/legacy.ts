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
 * On the same device, taking it is one rename into the directory, as for every claim: of two
 * sessions migrating at once, one gets it.
 *
 * Across devices a rename cannot reach the directory, so the migration is a chain of steps, each a
 * rename or an exclusive create that one caller wins, named with one tag `U` throughout:
 *
 *   1. rename  legacy            → L/.<file>.handoffs-claim_U_<pid>-<host>          (taken)
 *   2. create  D/.legacy-U.copy  (the whole text)
 *   3. rename  taken             → L/.<file>.handoffs-claim_U_<pid>-<host>.copied   (copied)
 *   4. rename  D/.legacy-U.copy  → D/.claim_…                                      (a claim)
 *   5. unlink  copied
 *
 * A migrator killed at any step leaves a `taken` or `copied` name holding the text, with its pid.
 * Once that pid is dead, the next migration takes the name over by renaming it to one of its own
 * (one winner) and finishes: from `taken`, it drops the dead migrator's copy (nobody else can
 * reach it: only a `copied` name leads to it) and goes on from step 2; from `copied`, it
 * makes the copy a claim unless step 4 already did (the rename says which), then step 5. So the
 * text ends in exactly one claim, whatever step anyone stopped at.
 */
export class LegacyFile {
  readonly #context: DirectoryContext;
  readonly #publisher: Publisher;
  readonly #path: string;
  readonly #prefix: string;

  constructor(context: DirectoryContext, publisher: Publisher, path: string) {
    this.#context = context;
    this.#publisher = publisher;
    this.#path = path;
    this.#prefix = `.${basename(path)}.handoffs-claim_`;
  }

  /** The legacy file's path. */
  get path(): string {
    return this.#path;
  }

  /**
   * Takes the legacy file (or what a killed migrator left) as a claim of `holder`; returns the
   * claim's file name in the directory, or `undefined` when there is nothing to take or another
   * session took it first.
   */
  async claim(holder: ClaimHolder, expiresAt: number): Promise<string | undefined> {
    const orphan = await this.#takeOrphan(holder, expiresAt);
    if (orphan !== undefined) return orphan || undefined;
    const { fs, runtime } = this.#context;
    const info = await lstatIfExists(fs, this.#path);
    if (info === undefined || info.kind !== 'file' || info.size === 0) return undefined;
    const unique = runtime.uniqueTag();
    const claim = this.#claimName(info.mtimeMs, unique, holder, expiresAt);
    await this.#publisher.ensureDir();
    try {
      await fs.rename(this.#path, join(this.#context.dir, claim));
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') return undefined;
      if (code !== 'EXDEV') throw error;
      const taken = this.#taken(unique);
      try {
        await fs.rename(this.#path, taken);
      } catch (renameError) {
        if (errorCode(renameError) === 'ENOENT') return undefined;
        throw renameError;
      }
      return this.#copyIn(taken, unique, info.mtimeMs, holder, expiresAt);
    }
    await fs.chmod(join(this.#context.dir, claim), 0o600).catch(() => {});
    return claim;
  }

  /** Steps 2 to 5 for a `taken` name this process holds. */
  async #copyIn(taken: string, unique: string, mtimeMs: number, holder: ClaimHolder, expiresAt: number): Promise<string | undefined> {
    const { fs } = this.#context;
    const data = await fs.readFile(taken);
    await this.#publisher.ensureDir();
    await fs.createFile(this.#copy(unique), data, { mode: 0o600, sync: this.#context.durable });
    const copied = `${taken}.copied`;
    await fs.rename(taken, copied);
    return this.#finish(copied, unique, mtimeMs, holder, expiresAt);
  }

  /** Steps 4 and 5 for a `copied` name this process holds; `undefined` when step 4 was done before. */
  async #finish(copied: string, unique: string, mtimeMs: number, holder: ClaimHolder, expiresAt: number): Promise<string | undefined> {
    const { fs, dir } = this.#context;
    const claim = this.#claimName(mtimeMs, unique, holder, expiresAt);
    let won = true;
    try {
      await fs.rename(this.#copy(unique), join(dir, claim));
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      // The dead migrator made it a claim already; the claims' own takeover delivers it.
      won = false;
    }
    await unlinkIfExists(fs, copied);
    return won ? claim : undefined;
  }

  /**
   * Finishes one migration a dead migrator on this host left: returns its claim name, `''` when
   * there was an orphan but its claim already existed, `undefined` when there was none to take.
   */
  async #takeOrphan(holder: ClaimHolder, expiresAt: number): Promise<string | undefined> {
    const { fs, runtime } = this.#context;
    const parent = dirname(this.#path);
    let entries;
    try {
      entries = await fs.readdir(parent);
    } catch {
      return undefined;
    }
    for (const entry of entries) {
      if (entry.kind !== 'file' || !entry.name.startsWith(this.#prefix)) continue;
      const fields = /_([a-z0-9]+)_(\d+)-([a-z0-9]+)(\.copied)?$/.exec(entry.name);
      if (!fields || fields[3] !== runtime.host || runtime.isAlive(Number(fields[2]))) continue;
      const [, unique, , , copied] = fields as unknown as [string, string, string, string, string | undefined];
      // Ours by renaming it to our own pid: one taker wins; the others see ENOENT.
      const ours = `${this.#taken(unique)}${copied ?? ''}`;
      try {
        await fs.rename(join(parent, entry.name), ours);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') continue;
        throw error;
      }
      const mtimeMs = (await lstatIfExists(fs, ours))?.mtimeMs ?? runtime.now().getTime();
      if (copied) return (await this.#finish(ours, unique, mtimeMs, holder, expiresAt)) ?? '';
      // Taken but not copied: the dead migrator's copy, if it made one, is reachable from nowhere
      // else (only a `copied` name leads to it), so it goes, and the copy starts again.
      await unlinkIfExists(fs, this.#copy(unique));
      return (await this.#copyIn(ours, unique, mtimeMs, holder, expiresAt)) ?? '';
    }
    return undefined;
  }

  /** Step 1's name for tag `unique`, held by this process. */
  #taken(unique: string): string {
    const { runtime } = this.#context;
    return join(dirname(this.#path), `${this.#prefix}${unique}_${runtime.pid}-${runtime.host}`);
  }

  /** Step 2's copy in the directory: hidden, never swept as a temporary file, never a claim until step 4. */
  #copy(unique: string): string {
    return join(this.#context.dir, `.legacy-${unique}.copy`);
  }

  #claimName(mtimeMs: number, unique: string, holder: ClaimHolder, expiresAt: number): string {
    let slug: string;
    try {
      slug = normalizeSlug(basename(this.#path).replace(/\.md$/i, ''));
    } catch {
      slug = 'legacy-handoff';
    }
    // Hand-written and legacy names are in local time, as a shell's `date` writes them.
    const stamp = formatStamp(new Date(mtimeMs), 'local');
    return formatClaimName({ ...holder, unique, expiresAt, stamp, slug });
  }
}
