import { join } from 'node:path';
import { mapLimit } from '../../concurrency.js';
import { errorCode } from '../../errors.js';
import { lstatIfExists, unlinkIfExists } from '../../fs/quiet.js';
import type { DirEntry, FileSystem } from '../../fs/types.js';
import { inScope } from '../../handoff/codec.js';
import { parseFrontMatter } from '../../handoff/front-matter.js';
import { DONE_SUFFIX, formatHandoffName, formatStamp, parseHandoffName, type HandoffName } from '../../handoff/name.js';
import type { Runtime } from '../../runtime.js';
import type {
  AcknowledgeOutcome,
  ClaimedItem,
  ClaimOutcome,
  ClaimRequest,
  HandoffBackend,
  NewHandoff,
  PurgeOutcome,
  ReleaseOutcome,
  RestoreOutcome,
  RestoreSelector,
  SkippedHandoff,
  StoredHandoff,
} from '../types.js';
import { LegacyFile } from './legacy.js';
import {
  TEMP_PATTERN,
  batchOfConsumed,
  claimedHandoffName,
  consumedName,
  formatClaimName,
  parseClaimName,
  releasedName,
  type ClaimName,
} from './names.js';
import { Publisher, type DirectoryContext } from './publish.js';
import { watchPending } from './watch.js';

/** Options of {@link DirectoryBackend}. */
export interface DirectoryBackendOptions {
  /** The handoffs directory (absolute). */
  readonly dir: string;
  readonly fs: FileSystem;
  readonly runtime: Runtime;
  /** Fsync files before publishing and the directory after each change. */
  readonly durable: boolean;
  /** Age after which a killed writer's temporary file is swept. */
  readonly staleTempMs: number;
  /** The single-file handoff of the old pattern, migrated as a claim when found. */
  readonly legacyFile?: string;
  /** Told once when the directory is writable by other users. */
  readonly onWarning: (message: string) => void;
}

/** Why a claim must leave a handoff alone, judged from its bytes; `undefined` when it may take it. */
function refusal(text: string, request: ClaimRequest): 'other-project' | 'own-session' | undefined {
  const { meta } = parseFrontMatter(text);
  if (!inScope(meta, request.project)) return 'other-project';
  if (request.session !== undefined && meta.sessionId === request.session) return 'own-session';
  return undefined;
}

const UTF8 = new TextDecoder();
const NO_BYTES = new Uint8Array(0);

/** Files claimed and read at once. */
const CONCURRENCY = 16;
const DAY_MS = 86_400_000;

/**
 * Handoffs as files in one directory: `<stamp>_<slug>.md` pending, `.claim_…` claimed (hidden),
 * `…~<tag>_done.md` consumed. See docs/PROTOCOL.md.
 *
 * Every change of state is one `rename` to a name that holds a fresh tag and so has never existed:
 * the rename either moves the file, and the caller alone holds it, or fails with ENOENT because
 * another caller moved it first. Nothing is decided on an earlier look at a name: a file is read,
 * judged and acted on only once it is held under a name of its holder's own.
 */
export class DirectoryBackend implements HandoffBackend {
  readonly location: string;
  readonly #context: DirectoryContext;
  readonly #publisher: Publisher;
  readonly #legacy: LegacyFile | undefined;
  readonly #staleTempMs: number;
  readonly #onWarning: (message: string) => void;
  #dirChecked = false;

  constructor(options: DirectoryBackendOptions) {
    this.location = options.dir;
    this.#context = { dir: options.dir, fs: options.fs, runtime: options.runtime, durable: options.durable };
    this.#publisher = new Publisher(this.#context);
    this.#legacy = options.legacyFile === undefined ? undefined : new LegacyFile(this.#context, this.#publisher, options.legacyFile);
    this.#staleTempMs = options.staleTempMs;
    this.#onWarning = options.onWarning;
  }

  publish(handoff: NewHandoff): Promise<string> {
    return this.#publisher.publish(handoff.data, handoff.stamp, handoff.slug);
  }

  async list(options: { consumed: boolean; since?: Date }): Promise<StoredHandoff[]> {
    const scan = await this.#scan(options.consumed);
    // Names carry a local or UTC stamp: a day's margin covers every zone.
    const since = options.since === undefined ? '' : formatStamp(new Date(options.since.getTime() - DAY_MS), 'utc');
    const recent = (stamp: string) => stamp >= since;
    const names = [
      ...scan.pending.filter((parsed) => recent(parsed.stamp)).map((parsed) => parsed.name),
      ...scan.claims.filter((claim) => recent(claim.stamp)).map((claim) => claim.name),
    ];
    if (options.consumed) names.push(...scan.consumed.filter((parsed) => recent(parsed.stamp)).map((parsed) => parsed.name));
    const found = await mapLimit(names, CONCURRENCY, (name) => this.read(name).catch(() => undefined));
    return found.filter((handoff): handoff is StoredHandoff => handoff !== undefined);
  }

  async read(name: string): Promise<StoredHandoff | undefined> {
    const claim = parseClaimName(name);
    const parsed = claim ? undefined : parseHandoffName(name);
    if (!claim && !parsed) return undefined;
    const path = join(this.#context.dir, name);
    let data: Uint8Array;
    try {
      data = await this.#context.fs.readFile(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    if (claim) {
      const { stamp, slug, batch, expiresAt } = claim;
      return { name, stamp, slug, state: 'claimed', data, leaseExpiresAt: new Date(expiresAt), batch };
    }
    const { stamp, slug, done, tag } = parsed!;
    if (!done) return { name, stamp, slug, state: 'pending', data };
    const info = await lstatIfExists(this.#context.fs, path);
    return { name, stamp, slug, state: 'consumed', data, consumedAt: new Date(info?.mtimeMs ?? 0), batch: batchOfConsumed(tag) };
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    const { runtime } = this.#context;
    const now = request.now.getTime();
    const expiresAt = now + request.leaseMs;
    const skipped: SkippedHandoff[] = [];
    const claimed: ClaimedItem[] = [];

    if (this.#legacy) {
      try {
        const legacyClaim = await this.#legacy.claim(request.holder, expiresAt);
        const item = legacyClaim && (await this.#holding(parseClaimName(legacyClaim)!, request, false, skipped));
        if (item) claimed.push({ ...item, legacy: true });
      } catch (error) {
        skipped.push({ name: this.#legacy.path, reason: 'unreadable', code: errorCode(error) ?? 'UNKNOWN' });
      }
    }

    const scan = await this.#scan(false);
    // Claims whose holder can no longer acknowledge them: the lease ended, or the holder died.
    const takeovers = scan.claims.filter(
      (claim) => claim.expiresAt <= now || (claim.host === runtime.host && claim.pid !== runtime.pid && !runtime.isAlive(claim.pid)),
    );
    const sources = [
      ...scan.pending.map((parsed) => ({ from: parsed.name, stamp: parsed.stamp, slug: parsed.slug, tag: parsed.tag, redelivered: false })),
      ...takeovers.map((claim) => ({ from: claim.name, stamp: claim.stamp, slug: claim.slug, tag: claim.tag, redelivered: true })),
    ].sort((a, b) => (a.stamp === b.stamp ? 0 : a.stamp < b.stamp ? -1 : 1));
    const room = request.limit === undefined ? sources.length : Math.max(0, request.limit - claimed.length);

    const taken = await mapLimit(sources.slice(0, room), CONCURRENCY, async (source) => {
      // One file's failure must not cost the others: a rejected claim would leave every file it had
      // already taken held by no one until its lease ends.
      try {
        return await this.#claimOne(source, request, expiresAt, skipped);
      } catch (error) {
        skipped.push({ name: source.from, reason: 'unreadable', code: errorCode(error) ?? 'UNKNOWN' });
        return undefined;
      }
    });
    for (const item of taken) if (item) claimed.push(item);
    // Claims are made; a failed directory sync must not withhold them.
    if (this.#context.durable && claimed.length > 0) await this.#context.fs.syncDir(this.#context.dir).catch(() => {});
    return { claimed, skipped };
  }

  async #claimOne(
    source: { from: string; stamp: string; slug: string; tag: string | undefined; redelivered: boolean },
    request: ClaimRequest,
    expiresAt: number,
    skipped: SkippedHandoff[],
  ): Promise<ClaimedItem | undefined> {
    const { fs, dir, runtime } = this.#context;
    if (request.project !== undefined || request.session !== undefined) {
      // Look first, so another project's or this session's own handoff is never taken, not even
      // briefly. The look decides only whether to try: what is taken is judged again below, once held.
      let peeked: Uint8Array;
      try {
        peeked = await fs.readFile(join(dir, source.from));
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return undefined;
        skipped.push({ name: source.from, reason: 'unreadable', code: errorCode(error) ?? 'UNKNOWN' });
        return undefined;
      }
      const reason = refusal(UTF8.decode(peeked), request);
      if (reason) {
        skipped.push({ name: source.from, reason });
        return undefined;
      }
    }
    const { stamp, slug, tag } = source;
    const claim = formatClaimName({ ...request.holder, unique: runtime.uniqueTag(), expiresAt, stamp, slug, tag });
    try {
      await fs.rename(join(dir, source.from), join(dir, claim));
    } catch (error) {
      // Another consumer took it first: not an error, not ours.
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    return this.#holding(parseClaimName(claim)!, request, source.redelivered, skipped);
  }

  /** Reads and judges a file this holder now holds; gives it back when it cannot be delivered. */
  async #holding(claim: ClaimName, request: ClaimRequest, redelivered: boolean, skipped: SkippedHandoff[]): Promise<ClaimedItem | undefined> {
    const name = claimedHandoffName(claim);
    const item = { name, redelivered, claim: claim.name };
    let data: Uint8Array;
    try {
      data = await this.#context.fs.readFile(join(this.#context.dir, claim.name));
    } catch (error) {
      await this.release([{ ...item, data: new Uint8Array() }]);
      skipped.push({ name, reason: 'unreadable', code: errorCode(error) ?? 'UNKNOWN' });
      return undefined;
    }
    // Decoded as read, so the bytes can go before the next file is read (see ClaimedItem.text).
    const text = UTF8.decode(data);
    const reason = refusal(text, request);
    if (reason) {
      // The name now held another handoff than the one looked at; it goes back.
      await this.release([{ ...item, data }]);
      skipped.push({ name, reason });
      return undefined;
    }
    return { ...item, data: NO_BYTES, text };
  }

  async acknowledge(items: readonly ClaimedItem[], at: Date): Promise<AcknowledgeOutcome> {
    const { fs, dir, durable } = this.#context;
    const acknowledged: AcknowledgeOutcome['acknowledged'] = [];
    const lost: ClaimedItem[] = [];
    const failed: AcknowledgeOutcome['failed'] = [];
    await mapLimit(items, CONCURRENCY, async (item) => {
      const claim = parseClaimName(item.claim);
      if (!claim) return void lost.push(item);
      const path = join(dir, claim.name);
      const name = consumedName(claim);
      try {
        // Retention counts from consumption: the mtime is set while the file is still ours.
        await fs.utimes(path, at, at);
        await fs.rename(path, join(dir, name));
        acknowledged.push({ item, name });
      } catch (error) {
        const code = errorCode(error) ?? 'UNKNOWN';
        // ENOENT: taken over after the lease ended; the other holder has it now.
        if (code === 'ENOENT') lost.push(item);
        else failed.push({ item, code });
      }
    });
    // The renames are done; a failed directory sync costs durability, not delivery.
    if (durable && acknowledged.length > 0) await fs.syncDir(dir).catch(() => {});
    return { acknowledged, lost, failed };
  }

  async release(items: readonly ClaimedItem[]): Promise<ReleaseOutcome> {
    const released: string[] = [];
    const lost: ClaimedItem[] = [];
    const failed: ReleaseOutcome['failed'] = [];
    await mapLimit(items, CONCURRENCY, async (item) => {
      const claim = parseClaimName(item.claim);
      if (!claim) return void lost.push(item);
      const name = releasedName(claim);
      try {
        if (await this.#move(claim.name, name)) released.push(name);
        else lost.push(item);
      } catch (error) {
        failed.push({ item, code: errorCode(error) ?? 'UNKNOWN' });
      }
    });
    return { released, lost, failed };
  }

  async restore(selector: RestoreSelector): Promise<RestoreOutcome> {
    const wanted = new Set<string>();
    const missing: string[] = [];
    for (const name of selector.names ?? []) {
      if (parseHandoffName(name)?.done) wanted.add(name);
      else missing.push(name);
    }
    if (selector.batch !== undefined || selector.last) {
      const { consumed } = await this.#scan(true);
      let batch = selector.batch;
      if (selector.last) batch = (await this.#lastBatch(consumed)) ?? batch;
      if (batch !== undefined) for (const parsed of consumed) if (batchOfConsumed(parsed.tag) === batch) wanted.add(parsed.name);
    }
    const restored: RestoreOutcome['restored'] = [];
    const failed: RestoreOutcome['failed'] = [];
    await mapLimit([...wanted], CONCURRENCY, async (from) => {
      const parsed = parseHandoffName(from)!;
      const to = formatHandoffName(parsed.stamp, parsed.slug, { tag: this.#context.runtime.uniqueTag() });
      try {
        if (await this.#move(from, to)) restored.push({ from, to });
        else missing.push(from);
      } catch (error) {
        failed.push({ item: from, code: errorCode(error) ?? 'UNKNOWN' });
      }
    });
    if (this.#context.durable && restored.length > 0) await this.#context.fs.syncDir(this.#context.dir).catch(() => {});
    return { restored, missing, failed };
  }

  /** The batch of the consumed handoff acknowledged last. */
  async #lastBatch(consumed: readonly HandoffName[]): Promise<string | undefined> {
    let newest: { batch: string; at: number } | undefined;
    await mapLimit(consumed, CONCURRENCY, async (parsed) => {
      const batch = batchOfConsumed(parsed.tag);
      if (batch === undefined) return;
      const info = await lstatIfExists(this.#context.fs, join(this.#context.dir, parsed.name));
      if (info && (newest === undefined || info.mtimeMs > newest.at)) newest = { batch, at: info.mtimeMs };
    });
    return newest?.batch;
  }

  async purge(options: { consumedBefore: Date; now: Date }): Promise<PurgeOutcome> {
    const doneCutoff = options.consumedBefore.getTime();
    const tempCutoff = options.now.getTime() - this.#staleTempMs;
    const removed: string[] = [];
    const temporaryRemoved: string[] = [];
    await mapLimit(await this.#readdir(), CONCURRENCY, async (entry) => {
      let cutoff: number;
      let into: string[];
      if (entry.kind !== 'file' && entry.kind !== 'symlink') return;
      if (entry.name.endsWith(DONE_SUFFIX) && parseHandoffName(entry.name)?.done) [cutoff, into] = [doneCutoff, removed];
      else if (TEMP_PATTERN.test(entry.name)) [cutoff, into] = [tempCutoff, temporaryRemoved];
      else return;
      // Consumed and temporary names hold a tag of their own and are never created again, so the
      // file judged old here is the file removed: no name can have been reused in between.
      const path = join(this.#context.dir, entry.name);
      const info = await lstatIfExists(this.#context.fs, path);
      if (info === undefined || info.mtimeMs >= cutoff) return;
      if (await unlinkIfExists(this.#context.fs, path)) into.push(entry.name);
    });
    return { removed: removed.sort(), temporaryRemoved: temporaryRemoved.sort() };
  }

  watch(options: { signal?: AbortSignal } = {}): AsyncIterable<string> {
    const pending = async () => (await this.#scan(false)).pending.map((parsed) => parsed.name);
    return watchPending(this.#context.fs, this.#context.dir, pending, options.signal);
  }

  /** Renames `from` to `to` (a name that has never existed); false when `from` was gone. */
  async #move(from: string, to: string): Promise<boolean> {
    try {
      await this.#context.fs.rename(join(this.#context.dir, from), join(this.#context.dir, to));
      return true;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw error;
    }
  }

  /**
   * Regular files with handoff or claim names. Consumed handoffs far outnumber the others, so their
   * names are sorted out by suffix before any parsing.
   */
  async #scan(withConsumed: boolean): Promise<{ pending: HandoffName[]; consumed: HandoffName[]; claims: ClaimName[] }> {
    const pending: HandoffName[] = [];
    const consumed: HandoffName[] = [];
    const claims: ClaimName[] = [];
    for (const entry of await this.#readdir()) {
      if (entry.kind !== 'file') continue;
      if (entry.name.startsWith('.')) {
        const claim = parseClaimName(entry.name);
        if (claim) claims.push(claim);
        continue;
      }
      if (!withConsumed && entry.name.endsWith(DONE_SUFFIX)) continue;
      const parsed = parseHandoffName(entry.name);
      if (parsed) (parsed.done ? consumed : pending).push(parsed);
    }
    return { pending, consumed, claims };
  }

  async #readdir(): Promise<DirEntry[]> {
    try {
      const entries = await this.#context.fs.readdir(this.#context.dir);
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
    const info = await this.#context.fs.stat(this.#context.dir).catch(() => undefined);
    if (info && (info.mode & 0o022) !== 0) {
      this.#onWarning(
        `handoffs directory ${this.#context.dir} is writable by group or others (mode ${(info.mode & 0o777).toString(8)}); ` +
          'other users could add or remove handoffs. Consider chmod 700.',
      );
    }
  }
}
