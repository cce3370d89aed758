import { randomBytes } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { mapLimit } from '../concurrency.js';
import { HandoffError, errorCode } from '../errors.js';
import { nodeFs } from '../fs/node.js';
import { lstatIfExists, unlinkIfExists } from '../fs/quiet.js';
import { retrying } from '../fs/retry.js';
import type { FileSystem } from '../fs/types.js';
import { parseFrontMatter, renderFrontMatter, type HandoffMeta } from './front-matter.js';
import { mergeHandoffs, type MergeBudget } from './merge.js';
import {
  compareHandoffNames,
  DONE_SUFFIX,
  formatHandoffName,
  formatStamp,
  normalizeSlug,
  parseHandoffName,
  parseStamp,
  sortHandoffNames,
  splitCollision,
  type HandoffName,
  type TimeZone,
} from './name.js';

/** Options of {@link HandoffStore}. */
export interface HandoffStoreOptions {
  /** The handoffs directory. Created (mode 0700) on first write. */
  dir: string;
  /** Filesystem adapter. Default: `nodeFs()`. */
  fs?: FileSystem;
  /** Clock. Default: `() => new Date()`. */
  now?: () => Date;
  /** Clock of the timestamps in names. Default `'local'`, as a shell's `date` writes them. */
  timeZone?: TimeZone;
  /** Days a consumed handoff is kept, counted from consumption. Default 7. */
  retentionDays?: number;
  /** A single-file handoff of the old pattern (e.g. `~/.claude/context-handoff.md`), migrated once. */
  legacyFile?: string;
  /** Fsync each file before publishing and the directory after. Default `true`. */
  durable?: boolean;
  /** Age after which a temporary file left by a killed writer is swept. Default one hour. */
  staleTempMs?: number;
  /**
   * Called with a message for conditions worth a person's attention that are not errors, such as a
   * handoffs directory that other users can write to. Default: `process.emitWarning`.
   */
  onWarning?: (message: string) => void;
}

/** A handoff on disk. */
export interface HandoffRef {
  /** Its file name, e.g. `2026-02-27_143022_blog-fix.md`. */
  name: string;
  /** Its full path. */
  path: string;
  /** The slug in its name, with any collision suffix (`blog-fix-2`). */
  slug: string;
  /** When it was written: exact for `write`, to the second (from the name) otherwise. */
  createdAt: Date;
  /** Whether it is in the consumed (`_done.md`) form. */
  done: boolean;
}

/** A handoff read with {@link HandoffStore.read}. */
export interface HandoffContent extends HandoffRef {
  /** Its text, front matter removed. */
  body: string;
  /** Its front matter; `{}` when it has none. */
  meta: HandoffMeta;
}

/** A handoff claimed by {@link HandoffStore.consume}. `name` is the pending name it had. */
export interface ConsumedHandoff extends HandoffRef {
  /** Its name now, in the consumed form. `path` points here. */
  doneName: string;
  body: string;
  meta: HandoffMeta;
  /** True for the migrated legacy single file. */
  legacy: boolean;
}

/** What {@link HandoffStore.write} takes. */
export interface WriteInput {
  /** Free text, normalised to `[a-z0-9-]` (see `normalizeSlug`). */
  slug: string;
  /** The handoff text. */
  body: string | Uint8Array;
  /** Written as front matter; `project` scopes the handoff to one project. */
  meta?: HandoffMeta;
}

/** Options of {@link HandoffStore.consume}. */
export interface ConsumeOptions extends MergeBudget {
  /**
   * Claim only handoffs of this project root plus unscoped ones (no `project` in front matter);
   * leave the others pending for their own project. Default: claim everything.
   */
  project?: string;
}

/** A pending handoff that `consume` did not claim, and why. */
export interface SkippedHandoff {
  name: string;
  /** `other-project`: scoped to another project; `unreadable`: could not be read, left pending. */
  reason: 'other-project' | 'unreadable';
  /** The adapter's error code for `unreadable`. */
  code?: string;
}

/** What {@link HandoffStore.consume} returns. */
export interface ConsumeResult {
  /** The handoffs this call claimed, oldest first. Another consumer's claims are never here. */
  handoffs: ConsumedHandoff[];
  /** All of them as one text (see `mergeHandoffs`); `''` when there were none. */
  merged: string;
  /** Pending handoffs left for later. */
  skipped: SkippedHandoff[];
}

/** What {@link HandoffStore.cleanup} returns. */
export interface CleanupResult {
  /** Consumed handoffs deleted. */
  removed: string[];
  /** Temporary files of killed writers deleted. */
  temporaryRemoved: string[];
}

/** What {@link HandoffStore.start} returns. */
export interface StartResult extends ConsumeResult {
  cleanup: CleanupResult;
}

const DAY_MS = 86_400_000;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
/** Collision suffixes tried before giving up: far above any real same-second burst. */
const MAX_COLLISIONS = 100_000;
/** Files claimed and read at once by `consume`. */
const CONSUME_CONCURRENCY = 16;
const TEMP_PATTERN = /^\.handoff-[0-9]+-[0-9]+-[0-9a-f]+\.tmp$/;
const decoder = new TextDecoder();
let tempCounter = 0;

/**
 * A directory of handoffs that many sessions write and read at once without losing any.
 *
 * Every write publishes a new, uniquely named file and never replaces one; every pending handoff
 * is claimed by exactly one consumer. See the README's "How it stays safe".
 *
 * @example
 * ```ts
 * const store = new HandoffStore({ dir: `${homedir()}/.claude/handoffs` });
 * await store.write({ slug: 'auth refactor', body: 'Done: login. Next: tokens.' });
 * const { merged } = await store.consume();
 * ```
 */
export class HandoffStore {
  /** The handoffs directory, resolved to an absolute path. */
  readonly dir: string;
  readonly #fs: FileSystem;
  readonly #now: () => Date;
  readonly #timeZone: TimeZone;
  readonly #retentionDays: number;
  readonly #legacyFile: string | undefined;
  readonly #durable: boolean;
  readonly #staleTempMs: number;
  readonly #onWarning: (message: string) => void;
  #dirReady: Promise<void> | undefined;
  #dirChecked = false;
  /** The collision number this store last published for `stamp_slug`, within the current second only. */
  #lastCollision: { key: string; collision: number } | undefined;

  constructor(options: HandoffStoreOptions) {
    if (typeof options !== 'object' || options === null || typeof options.dir !== 'string' || options.dir === '') {
      throw new HandoffError('INVALID_OPTION', 'HandoffStore needs options.dir, a non-empty string');
    }
    this.dir = resolve(options.dir);
    this.#fs = retrying(options.fs ?? nodeFs());
    this.#now = options.now ?? (() => new Date());
    this.#timeZone = oneOf('timeZone', options.timeZone ?? 'local', ['local', 'utc']);
    this.#retentionDays = nonNegative('retentionDays', options.retentionDays ?? 7);
    this.#legacyFile = options.legacyFile === undefined ? undefined : resolve(options.legacyFile);
    this.#durable = options.durable ?? true;
    this.#staleTempMs = nonNegative('staleTempMs', options.staleTempMs ?? 3_600_000);
    this.#onWarning = options.onWarning ?? ((message) => process.emitWarning(message, 'HandoffsWarning'));
  }

  /**
   * Writes a new handoff. The text is written in full under a temporary name that no listing
   * returns, then published by hard link, which fails rather than replace an existing name; a taken
   * name (pending or consumed) moves to the next collision suffix (`-2`, `-3`, …).
   *
   * @throws HandoffError `INVALID_SLUG`, `INVALID_BODY`, `INVALID_META`, or `IO`.
   */
  async write(input: WriteInput): Promise<HandoffRef> {
    if (typeof input !== 'object' || input === null) {
      throw new HandoffError('INVALID_OPTION', 'write() takes { slug, body, meta? }');
    }
    const slug = normalizeSlug(input.slug);
    const data = encodeHandoff(input.body, input.meta);
    const createdAt = this.#now();
    const stamp = formatStamp(createdAt, this.#timeZone);
    const name = await this.#io('write', this.dir, async () => {
      await this.#ensureDir();
      const temp = await this.#createTemp(data);
      let published: string;
      try {
        published = await this.#publish(temp, stamp, slug);
      } catch (error) {
        await unlinkIfExists(this.#fs, temp).catch(() => {});
        throw error;
      }
      // Published. A temporary file that cannot be removed is no reason to report failure (the
      // caller would write again); cleanup sweeps it later. A failed directory fsync is reported:
      // the handoff exists but might not survive a power loss, which the caller should know.
      await unlinkIfExists(this.#fs, temp).catch(() => {});
      if (this.#durable) await this.#fs.syncDir(this.dir);
      return published;
    });
    return { name, path: join(this.dir, name), slug: parseHandoffName(name)!.slug, createdAt, done: false };
  }

  /** Days a consumed handoff is kept, counted from consumption. */
  get retentionDays(): number {
    return this.#retentionDays;
  }

  /**
   * The pending handoffs, oldest first; with `consumed: true`, the consumed ones too (still on disk
   * within retention). Temporary files, foreign files, directories and links are skipped.
   */
  async list(options: { consumed?: boolean } = {}): Promise<HandoffRef[]> {
    return (await this.#io('list', this.dir, () => this.#scan(options.consumed === true))).map((parsed) => this.#ref(parsed));
  }

  /**
   * Reads one handoff, pending or consumed, without consuming it.
   *
   * @throws HandoffError `INVALID_NAME` for a name outside the grammar, `NOT_FOUND`, or `IO`.
   */
  async read(name: string): Promise<HandoffContent> {
    const parsed = typeof name === 'string' ? parseHandoffName(name) : undefined;
    if (!parsed) throw new HandoffError('INVALID_NAME', `not a handoff name: ${JSON.stringify(name)}`);
    const path = join(this.dir, parsed.name);
    let bytes: Uint8Array;
    try {
      bytes = await this.#fs.readFile(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        throw new HandoffError('NOT_FOUND', `no handoff ${parsed.name}`, { cause: error, path });
      }
      throw ioError('read', path, error);
    }
    return { ...this.#ref(parsed), ...decodeHandoff(bytes) };
  }

  /**
   * Claims every pending handoff (and the legacy file, if configured) and returns their texts.
   *
   * Each handoff goes to exactly one caller, even with many consumers in many processes: the claim
   * is a hard link to the `_done.md` name, which only one can create, and a lost race is skipped
   * silently. Claiming sets the file's mtime to now, so retention counts from consumption.
   *
   * @throws HandoffError `INVALID_OPTION` or `IO`; never because another consumer got there first.
   */
  async consume(options: ConsumeOptions = {}): Promise<ConsumeResult> {
    const project = options.project === undefined ? undefined : resolve(options.project);
    return this.#io('consume', this.dir, async () => {
      const handoffs: ConsumedHandoff[] = [];
      const skipped: SkippedHandoff[] = [];
      try {
        const legacy = await this.#migrateLegacy();
        if (legacy) handoffs.push(legacy);
      } catch (error) {
        skipped.push({ name: basename(this.#legacyFile ?? ''), reason: 'unreadable', code: errorCode(error) ?? 'UNKNOWN' });
      }

      const pending = await this.#scan(false);
      const claimed = await mapLimit(pending, CONSUME_CONCURRENCY, async (parsed) => {
        // One file's failure must not cost the others: a rejected consume would leave every file
        // it had already claimed consumed on disk yet delivered to no one.
        try {
          return await this.#consumeOne(parsed, project, skipped);
        } catch (error) {
          skipped.push({ name: parsed.name, reason: 'unreadable', code: errorCode(error) ?? 'UNKNOWN' });
          return undefined;
        }
      });
      for (const handoff of claimed) if (handoff) handoffs.push(handoff);
      // Claims are made; a failed directory sync must not withhold what was claimed.
      if (this.#durable && handoffs.length > 0) await this.#fs.syncDir(this.dir).catch(() => {});

      handoffs.sort((a, b) => compareHandoffNames(parseHandoffName(a.doneName)!, parseHandoffName(b.doneName)!));
      return withLazyMerge({ handoffs, skipped }, options);
    });
  }

  /** Claims and reads one pending handoff; `undefined` when it went to another consumer or was skipped. */
  async #consumeOne(parsed: HandoffName, project: string | undefined, skipped: SkippedHandoff[]): Promise<ConsumedHandoff | undefined> {
    if (project !== undefined) {
      // Peek before claiming so that another project's handoff is never taken, not even briefly.
      const header = await this.#readMeta(parsed);
      if (header && !inScope(header.meta, project)) {
        skipped.push({ name: parsed.name, reason: 'other-project' });
        return undefined;
      }
    }
    const doneName = await this.#claim(join(this.dir, parsed.name), parsed);
    if (doneName === undefined) return undefined;
    const donePath = join(this.dir, doneName);
    let content: { body: string; meta: HandoffMeta };
    try {
      content = decodeHandoff(await this.#fs.readFile(donePath));
    } catch (error) {
      await this.#release(donePath, parsed);
      skipped.push({ name: parsed.name, reason: 'unreadable', code: errorCode(error) ?? 'UNKNOWN' });
      return undefined;
    }
    if (project !== undefined && !inScope(content.meta, project)) {
      // The name was reused between the peek and the claim; give the other project its file back.
      await this.#release(donePath, parsed);
      skipped.push({ name: parsed.name, reason: 'other-project' });
      return undefined;
    }
    return { ...this.#ref(parsed), done: true, doneName, path: donePath, ...content, legacy: false };
  }

  /**
   * What `consume(options)` would return now, without claiming anything: the pending handoffs in
   * scope with their texts, and the merged text. Another session may still claim them.
   */
  async peek(options: ConsumeOptions = {}): Promise<{ handoffs: HandoffContent[]; merged: string; skipped: SkippedHandoff[] }> {
    const project = options.project === undefined ? undefined : resolve(options.project);
    const handoffs: HandoffContent[] = [];
    const skipped: SkippedHandoff[] = [];
    for (const ref of await this.list()) {
      let content: HandoffContent;
      try {
        content = await this.read(ref.name);
      } catch (error) {
        if (error instanceof HandoffError && error.code === 'NOT_FOUND') continue;
        skipped.push({ name: ref.name, reason: 'unreadable', code: errorCode((error as { cause?: unknown }).cause) ?? 'UNKNOWN' });
        continue;
      }
      if (project !== undefined && !inScope(content.meta, project)) skipped.push({ name: ref.name, reason: 'other-project' });
      else handoffs.push(content);
    }
    return withLazyMerge({ handoffs, skipped }, options);
  }

  /**
   * Deletes consumed handoffs older than the retention window, and temporary files that killed
   * writers left behind. Never touches a pending handoff or a file outside the grammar; a symbolic
   * link is deleted itself, its target never.
   */
  async cleanup(options: { olderThanDays?: number } = {}): Promise<CleanupResult> {
    const days = nonNegative('olderThanDays', options.olderThanDays ?? this.#retentionDays);
    return this.#io('cleanup', this.dir, async () => {
      const now = this.#now().getTime();
      const doneCutoff = now - days * DAY_MS;
      const tempCutoff = now - this.#staleTempMs;
      const removed: string[] = [];
      const temporaryRemoved: string[] = [];
      await mapLimit(await this.#readdir(), CONSUME_CONCURRENCY, async (entry) => {
        let cutoff: number;
        let into: string[];
        if (entry.kind !== 'file' && entry.kind !== 'symlink') return;
        if (parseHandoffName(entry.name)?.done) [cutoff, into] = [doneCutoff, removed];
        else if (TEMP_PATTERN.test(entry.name)) [cutoff, into] = [tempCutoff, temporaryRemoved];
        else return;
        const path = join(this.dir, entry.name);
        const info = await lstatIfExists(this.#fs, path);
        if (info === undefined || info.mtimeMs >= cutoff) return;
        if (await unlinkIfExists(this.#fs, path)) into.push(entry.name);
      });
      return { removed: removed.sort(), temporaryRemoved: temporaryRemoved.sort() };
    });
  }

  /** The session-start block in one call: `consume()` (legacy file included), then `cleanup()`. */
  async start(options: ConsumeOptions = {}): Promise<StartResult> {
    const consumed = await this.consume(options);
    // Assign rather than spread: spreading would compute the lazy `merged` here.
    return Object.assign(consumed, { cleanup: await this.cleanup() });
  }

  /** The session-end block in one call: `write()`. */
  async end(input: WriteInput): Promise<HandoffRef> {
    return this.write(input);
  }

  #ref(parsed: HandoffName): HandoffRef {
    return {
      name: parsed.name,
      path: join(this.dir, parsed.name),
      slug: parsed.slug,
      createdAt: parseStamp(parsed.stamp, this.#timeZone),
      done: parsed.done,
    };
  }

  /**
   * Regular files with handoff names, oldest first; consumed ones only when asked. A directory
   * holds far more consumed handoffs than pending ones, so they are dropped before any parsing.
   */
  async #scan(includeDone: boolean): Promise<HandoffName[]> {
    const names: HandoffName[] = [];
    for (const entry of await this.#readdir()) {
      if (entry.kind !== 'file' || (!includeDone && entry.name.endsWith(DONE_SUFFIX))) continue;
      const parsed = parseHandoffName(entry.name);
      if (parsed) names.push(parsed);
    }
    return sortHandoffNames(names);
  }

  async #readdir() {
    try {
      const entries = await this.#fs.readdir(this.dir);
      await this.#checkDir();
      return entries;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw error;
    }
  }

  /** Warns, once per store, when other users could plant or remove handoffs in the directory. */
  async #checkDir(): Promise<void> {
    if (this.#dirChecked || process.platform === 'win32') return;
    this.#dirChecked = true;
    const info = await this.#fs.stat(this.dir).catch(() => undefined);
    if (info && (info.mode & 0o022) !== 0) {
      this.#onWarning(
        `handoffs directory ${this.dir} is writable by group or others (mode ${(info.mode & 0o777).toString(8)}); ` +
          'other users could add or remove handoffs. Consider chmod 700.',
      );
    }
  }

  async #ensureDir(): Promise<void> {
    this.#dirReady ??= this.#fs.mkdir(this.dir, { recursive: true, mode: DIR_MODE }).catch((error: unknown) => {
      this.#dirReady = undefined;
      throw error;
    });
    return this.#dirReady;
  }

  async #createTemp(data: Uint8Array): Promise<string> {
    const temp = join(this.dir, `.handoff-${process.pid}-${tempCounter++}-${randomBytes(4).toString('hex')}.tmp`);
    try {
      await this.#fs.createFile(temp, data, { mode: FILE_MODE, sync: this.#durable });
    } catch (error) {
      await unlinkIfExists(this.#fs, temp);
      if (errorCode(error) !== 'ENOENT') throw error;
      // The directory was removed after we created it: make it again, once.
      this.#dirReady = undefined;
      await this.#ensureDir();
      await this.#fs.createFile(temp, data, { mode: FILE_MODE, sync: this.#durable }).catch(async (retryError: unknown) => {
        await unlinkIfExists(this.#fs, temp);
        throw retryError;
      });
    }
    return temp;
  }

  /**
   * Links `source` under the first free pending name from `stamp`, `slug` and a collision suffix.
   * A name is free when neither it nor its `_done.md` form exists; `link` never replaces a name.
   */
  async #publish(source: string, stamp: string, slug: string): Promise<string> {
    // Names are never freed within a second, so probing can start past the last one this store
    // took: a burst of same-slug writes then costs one probe each, not one per earlier write.
    const key = `${stamp}_${slug}`;
    const first = this.#lastCollision?.key === key ? this.#lastCollision.collision + 1 : 1;
    for (let collision = first; collision < first + MAX_COLLISIONS; collision++) {
      const name = formatHandoffName(stamp, slug, { collision });
      if (await this.#exists(join(this.dir, formatHandoffName(stamp, slug, { collision, done: true })))) continue;
      try {
        await this.#fs.link(source, join(this.dir, name));
        this.#lastCollision = { key, collision };
        return name;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
    }
    throw new HandoffError('IO', `no free name for ${stamp}_${slug} after ${MAX_COLLISIONS} tries`, { path: this.dir });
  }

  /**
   * Claims `source` by linking it to its `_done.md` name, then unlinking the pending name. Returns
   * the done name, or `undefined` when another consumer claimed it first.
   *
   * `link` instead of `rename` because rename replaces: if a same-second writer had reused a name
   * whose earlier file was already consumed, a rename would destroy that consumed file. When the
   * done name holds a different file, the claim moves to the next collision suffix instead.
   */
  async #claim(source: string, parsed: HandoffName): Promise<string | undefined> {
    const now = this.#now();
    try {
      // Before the link, so that no consumed file ever carries its write time as its claim time.
      await this.#fs.utimes(source, now, now);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    const [base, collision] = splitCollision(parsed.slug);
    for (let attempt = 0; attempt <= MAX_COLLISIONS; attempt++) {
      const doneName =
        attempt === 0 ? parsed.doneName : formatHandoffName(parsed.stamp, base, { collision: collision + attempt, done: true });
      try {
        await this.#fs.link(source, join(this.dir, doneName));
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ENOENT') return undefined;
        if (code !== 'EEXIST') throw error;
        const owner = await this.#sameFile(source, join(this.dir, doneName));
        if (owner === 'gone') return undefined;
        if (owner === 'same') {
          // Another consumer linked it first; finish its claim in case it died before unlinking.
          await unlinkIfExists(this.#fs, source);
          return undefined;
        }
        continue;
      }
      // Claimed. If the pending name cannot be removed now, the next consume finds it linked to
      // this done file and removes it; it is never delivered twice.
      await unlinkIfExists(this.#fs, source).catch(() => {});
      return doneName;
    }
    throw new HandoffError('IO', `no free consumed name for ${parsed.name}`, { path: source });
  }

  /** Puts a claimed file back as pending, under a fresh name so no racing claim can mistake it. */
  async #release(donePath: string, parsed: HandoffName): Promise<void> {
    const [base] = splitCollision(parsed.slug);
    await this.#publish(donePath, parsed.stamp, base);
    await unlinkIfExists(this.#fs, donePath);
  }

  /** Reads a pending handoff's front matter before claiming (scope check); `undefined` when it cannot be read. */
  async #readMeta(parsed: HandoffName): Promise<{ meta: HandoffMeta } | undefined> {
    try {
      return decodeHandoff(await this.#fs.readFile(join(this.dir, parsed.name)));
    } catch {
      return undefined;
    }
  }

  /**
   * Moves the legacy single file into the directory as a consumed handoff, named from its mtime,
   * by the same claim as any handoff: two sessions migrating at once cannot both get it.
   */
  async #migrateLegacy(): Promise<ConsumedHandoff | undefined> {
    if (this.#legacyFile === undefined) return undefined;
    const info = await lstatIfExists(this.#fs, this.#legacyFile);
    if (info === undefined || info.kind !== 'file' || info.size === 0) return undefined;
    await this.#ensureDir();
    const stamp = formatStamp(new Date(info.mtimeMs), this.#timeZone);
    let slug: string;
    try {
      slug = normalizeSlug(basename(this.#legacyFile).replace(/\.md$/i, ''));
    } catch {
      slug = 'legacy-handoff';
    }
    const parsed = parseHandoffName(formatHandoffName(stamp, slug))!;
    let doneName: string | undefined;
    try {
      doneName = await this.#claim(this.#legacyFile, parsed);
    } catch (error) {
      if (errorCode(error) !== 'EXDEV') throw error;
      doneName = await this.#migrateAcrossDevices(this.#legacyFile, parsed);
    }
    if (doneName === undefined) return undefined;
    const path = join(this.dir, doneName);
    await this.#fs.chmod(path, FILE_MODE);
    const content = decodeHandoff(await this.#fs.readFile(path));
    return { ...this.#ref(parsed), done: true, doneName, path, ...content, legacy: true };
  }

  /** A legacy file on another device cannot be linked: copy it in, claim the copy, then remove it. */
  async #migrateAcrossDevices(legacyFile: string, parsed: HandoffName): Promise<string | undefined> {
    const data = await this.#fs.readFile(legacyFile);
    const doneName = formatHandoffName(parsed.stamp, parsed.slug, { done: true });
    const existing = await this.#fs.readFile(join(this.dir, doneName)).catch(() => undefined);
    if (existing && Buffer.from(existing).equals(Buffer.from(data))) {
      // Another session copied this same file in first.
      await unlinkIfExists(this.#fs, legacyFile);
      return undefined;
    }
    const temp = await this.#createTemp(data);
    try {
      const claimed = await this.#claim(temp, parsed);
      await unlinkIfExists(this.#fs, legacyFile);
      return claimed;
    } finally {
      await unlinkIfExists(this.#fs, temp);
    }
  }

  async #sameFile(a: string, b: string): Promise<'same' | 'different' | 'gone'> {
    const [infoA, infoB] = await Promise.all([lstatIfExists(this.#fs, a), lstatIfExists(this.#fs, b)]);
    if (infoA === undefined) return 'gone';
    if (infoB === undefined) return 'different';
    return infoA.dev === infoB.dev && infoA.ino === infoB.ino ? 'same' : 'different';
  }

  async #exists(path: string): Promise<boolean> {
    return (await lstatIfExists(this.#fs, path)) !== undefined;
  }

  async #io<T>(action: string, path: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof HandoffError) throw error;
      throw ioError(action, path, error);
    }
  }
}

/**
 * Adds `merged` as a getter computed on first read: a caller that only wants the bodies never holds
 * every body twice (thousands of large handoffs would double the memory). Enumerable, so
 * `JSON.stringify` and spreading still see it.
 */
function withLazyMerge<T extends { name: string; body: string; path: string }, R extends { handoffs: T[] }>(
  result: R,
  budget: MergeBudget,
): R & { merged: string } {
  let merged: string | undefined;
  return Object.defineProperty(result, 'merged', {
    enumerable: true,
    get: () =>
      (merged ??= mergeHandoffs(
        result.handoffs.map((handoff) => ({ name: handoff.name, body: handoff.body, path: handoff.path })),
        budget,
      )),
  }) as R & { merged: string };
}

function ioError(action: string, path: string, cause: unknown): HandoffError {
  const code = errorCode(cause) ?? 'UNKNOWN';
  return new HandoffError('IO', `${action} failed (${code}) at ${path}`, { cause, path });
}

function encodeHandoff(body: unknown, meta: HandoffMeta | undefined): Uint8Array {
  const header = renderFrontMatter(meta);
  if (typeof body === 'string') return Buffer.from(header + body, 'utf8');
  if (body instanceof Uint8Array) return header === '' ? body : Buffer.concat([Buffer.from(header, 'utf8'), body]);
  throw new HandoffError('INVALID_BODY', 'body must be a string or a Uint8Array');
}

function decodeHandoff(bytes: Uint8Array): { body: string; meta: HandoffMeta } {
  return parseFrontMatter(decoder.decode(bytes));
}

function inScope(meta: HandoffMeta, project: string): boolean {
  return typeof meta.project !== 'string' || resolve(meta.project) === project;
}

function nonNegative(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new HandoffError('INVALID_OPTION', `${option} must be a non-negative number, got ${String(value)}`);
  }
  return value;
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new HandoffError('INVALID_OPTION', `${option} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
  return value as T;
}
