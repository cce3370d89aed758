import { join, resolve } from 'node:path';
import { DirectoryBackend } from '../backends/directory/backend.js';
import type { ClaimedItem, HandoffBackend, HandoffState, SkippedHandoff, StoredHandoff } from '../backends/types.js';
import { HandoffError, errorCode } from '../errors.js';
import { nodeFs } from '../fs/node.js';
import { retrying } from '../fs/retry.js';
import type { FileSystem } from '../fs/types.js';
import { processRuntime, shortTag, type Runtime } from '../runtime.js';
import { CREATED_KEY, decodeHandoff, encodeHandoff, instantOf } from './codec.js';
import { parseFrontMatter, type HandoffMeta } from './front-matter.js';
import { mergeHandoffs, type MergeBudget } from './merge.js';
import { describeOrigin } from './origin.js';
import { formatStamp, normalizeSlug, parseHandoffName, type TimeZone } from './name.js';
import { openBackend, redactUrl } from './open-backend.js';


const NO_BYTES = new Uint8Array(0);
export type { SkippedHandoff } from '../backends/types.js';

/** Options of {@link HandoffStore}: a directory (`dir`), or another backend (`store`). */
export interface HandoffStoreOptions {
  /** The handoffs directory, for the directory store. Created (mode 0700) on first write. */
  dir?: string;
  /**
   * Another backend: an object implementing `HandoffBackend`, or a URL (`postgres://…`,
   * `git:origin`) whose backend is loaded on first use. Exclusive with `dir`.
   */
  store?: HandoffBackend | string;
  /** Filesystem adapter of the directory store. Default: `nodeFs()`. */
  fs?: FileSystem;
  /** Clock. Default: `() => new Date()`. */
  now?: () => Date;
  /** Clock of the timestamps in names and of the recorded instant's offset. Default `'local'`. */
  timeZone?: TimeZone;
  /** Days a consumed handoff is kept, counted from consumption. Default 7. */
  retentionDays?: number;
  /** How long a claim is its holder's alone before others may take it over. Default 60 000 ms. */
  leaseMs?: number;
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
  /**
   * The process the store runs in (clock, pid, host, randomness, timers), for deterministic tests
   * and simulation. Default: the real process. `now` above takes precedence over `runtime.now`.
   */
  runtime?: Partial<Runtime>;
}

/** A handoff in a store. */
export interface HandoffRef {
  /** Its name now, e.g. `2026-02-27_143022_blog-fix.md`, or its consumed or claimed name. */
  name: string;
  /** Where it is: the file's path for the directory store, `<location>/<name>` for others. */
  path: string;
  /** The slug in its name, with any collision suffix (`blog-fix-2`). */
  slug: string;
  /** The instant it was written (its `created` front matter; the name in local time for files written by hand). */
  createdAt: Date;
  /** Whether it is consumed. */
  done: boolean;
  /** `pending`, `claimed` (held by a session that has not acknowledged it yet) or `consumed`. */
  state: HandoffState;
}

/** A handoff read with {@link HandoffStore.read}. */
export interface HandoffContent extends HandoffRef {
  /** Its text, front matter removed, exactly as written. */
  body: string;
  /** Its front matter; `{}` when it has none. */
  meta: HandoffMeta;
}

/** A handoff held by a {@link HandoffClaim}. `name` is the pending name it was claimed under. */
export interface ClaimedHandoff extends HandoffContent {
  /** True when an earlier holder claimed it and died or let its lease end before acknowledging. */
  redelivered: boolean;
  /** True for the migrated legacy single file. */
  legacy: boolean;
  /**
   * The backend's handle on this claim, unique in the store (names are not: a claim can hold a
   * released copy and a newer handoff written under the same name).
   */
  claim: string;
}

/** A consumed handoff. `name` is the pending name it had. */
export interface ConsumedHandoff extends HandoffRef {
  /** Its name now, in the consumed form. `path` points here. */
  doneName: string;
  body: string;
  meta: HandoffMeta;
  /** True for the migrated legacy single file. */
  legacy: boolean;
  /** True when an earlier holder claimed it and died or let its lease end before acknowledging. */
  redelivered: boolean;
}

/** What {@link HandoffStore.write} takes. */
export interface WriteInput {
  /** Free text, normalised to `[a-z0-9-]` (see `normalizeSlug`). */
  slug: string;
  /** The handoff text; read back byte for byte, whatever it begins with. */
  body: string | Uint8Array;
  /** Written as front matter; `project` scopes the handoff to one project. `created` is reserved. */
  meta?: HandoffMeta;
}

/** Options of {@link HandoffStore.claim} and {@link HandoffStore.consume}. */
export interface ConsumeOptions extends Omit<MergeBudget, 'timeZone'> {
  /**
   * Claim only handoffs of this project root plus unscoped ones (no `project` in front matter);
   * leave the others pending for their own project. Default: claim everything.
   */
  project?: string;
  /**
   * The agent session claiming: recorded with each claim so that `restore({ session })` can give
   * back everything it took (e.g. when the session ended without doing any work), and the
   * handoffs it wrote itself (front matter `sessionId`) are left for other sessions.
   */
  session?: string;
  /** Lease of these claims. Default: the store's `leaseMs`. */
  leaseMs?: number;
  /** Claim at most this many, oldest first. Default: all. */
  limit?: number;
}

/** What {@link HandoffStore.consume} returns. */
export interface ConsumeResult {
  /** The handoffs this call consumed, oldest first. Another consumer's are never here. */
  handoffs: ConsumedHandoff[];
  /** All of them as one text (see `mergeHandoffs`); `''` when there were none. */
  merged: string;
  /** Pending handoffs left for later. */
  skipped: SkippedHandoff[];
}

/** A consumed handoff `restore` could not move, and the error code; the others went ahead. */
export interface FailedHandoff {
  name: string;
  code: string;
}

/** A claimed handoff an operation could not move, and the error code; the others went ahead. */
export interface FailedClaim {
  handoff: ClaimedHandoff;
  code: string;
}

/** What {@link HandoffClaim.acknowledge} returns. */
export interface AcknowledgeResult {
  /** The claimed handoffs now consumed. */
  handoffs: ConsumedHandoff[];
  /** Claims this holder had lost: its lease ended and another session took them over. */
  lost: ClaimedHandoff[];
  /** Claims still held because acknowledging them failed: delivered again once their lease ends. */
  failed: FailedClaim[];
}

/** What {@link HandoffClaim.release} returns. */
export interface ReleaseResult {
  /** The pending names the released handoffs have now. */
  released: string[];
  /** Claims this holder had lost already. */
  lost: ClaimedHandoff[];
  /** Claims still held because releasing them failed (delivered again once their lease ends). */
  failed: FailedClaim[];
}

/**
 * Handoffs claimed by one session, held under a lease until acknowledged. Use the texts, then
 * `acknowledge()`; a holder that dies or lets the lease end before acknowledging gives them to the
 * next claim, which receives them again (`redelivered`).
 */
export interface HandoffClaim {
  /** The claimed handoffs, oldest first. */
  readonly handoffs: ClaimedHandoff[];
  /** All of them as one text; `''` when there are none. */
  readonly merged: string;
  /** Pending handoffs left for later. */
  readonly skipped: SkippedHandoff[];
  /** The batch these claims are recorded under (from `session`, else random). */
  readonly batch: string;
  /**
   * Marks every handoff this claim still holds consumed (those released since are not). Call it
   * once the texts have been handed on.
   */
  acknowledge(): Promise<AcknowledgeResult>;
  /**
   * Gives handoffs this claim holds back, pending again: all of them, or those given (matched by
   * `claim`). Released handoffs leave the claim; a later `acknowledge` does not touch them.
   */
  release(handoffs?: readonly ClaimedHandoff[]): Promise<ReleaseResult>;
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
  /** The cleanup that followed; `error` when it failed (the consumed handoffs are delivered anyway). */
  cleanup: CleanupResult & { error?: HandoffError };
}

/** Which consumed handoffs {@link HandoffStore.restore} puts back. */
export interface RestoreOptions {
  /** Consumed names (`…_done.md`). */
  names?: readonly string[];
  /** Every handoff the claims of this agent session consumed. */
  session?: string;
  /** The handoffs consumed by the most recent acknowledgement (the last session start). */
  last?: boolean;
}

/** What {@link HandoffStore.restore} returns. */
export interface RestoreResult {
  /** Each consumed name put back, and its pending name now. */
  restored: Array<{ from: string; to: string }>;
  /** Names asked for that are not consumed handoffs (any more). */
  missing: string[];
  /** Consumed handoffs that could not be put back (still consumed). */
  failed: FailedHandoff[];
}

const DAY_MS = 86_400_000;
/** Names a caller may pass to `read`: the grammar, or a backend's hidden claim name. Never a path. */
const PRIVATE_NAME = /^\.[A-Za-z0-9][A-Za-z0-9._~-]{0,254}$/;
const BATCH = /^[a-z0-9]{1,16}$/;

/**
 * Handoffs that many sessions write and read at once without losing any, in a directory or any
 * other backend.
 *
 * Every write publishes a new, uniquely named handoff and never replaces one; every pending
 * handoff is claimed by one session at a time and consumed once. See the README's "How it stays
 * safe" and docs/PROTOCOL.md.
 *
 * @example
 * ```ts
 * const store = new HandoffStore({ dir: `${homedir()}/.claude/handoffs` });
 * await store.write({ slug: 'auth refactor', body: 'Done: login. Next: tokens.' });
 * const { merged } = await store.consume();
 * ```
 */
export class HandoffStore {
  /** The handoffs directory for the directory store; the backend's location otherwise. */
  readonly dir: string;
  /** Days a consumed handoff is kept, counted from consumption. */
  readonly retentionDays: number;
  /** Default lease of claims, in ms. */
  readonly leaseMs: number;
  readonly #runtime: Runtime;
  readonly #timeZone: TimeZone;
  readonly #backend: () => Promise<HandoffBackend>;
  /** Whether `dir` is a folder (paths join) or a URL (`<location>/<name>`). */
  readonly #isFolder: boolean;

  constructor(options: HandoffStoreOptions) {
    if (typeof options !== 'object' || options === null) throw new HandoffError('INVALID_OPTION', 'HandoffStore needs options');
    const hasDir = typeof options.dir === 'string' && options.dir !== '';
    if (hasDir === (options.store !== undefined)) {
      throw new HandoffError('INVALID_OPTION', 'HandoffStore needs exactly one of options.dir (a non-empty string) or options.store');
    }
    const base = processRuntime(options.now ?? options.runtime?.now);
    this.#runtime = { ...base, ...options.runtime, now: options.now ?? options.runtime?.now ?? base.now };
    this.#timeZone = oneOf('timeZone', options.timeZone ?? 'local', ['local', 'utc']);
    this.retentionDays = nonNegative('retentionDays', options.retentionDays ?? 7);
    this.leaseMs = positive('leaseMs', options.leaseMs ?? 60_000);
    this.#isFolder = hasDir;
    if (hasDir) {
      this.dir = resolve(options.dir!);
      const backend = new DirectoryBackend({
        dir: this.dir,
        fs: retrying(options.fs ?? nodeFs()),
        runtime: this.#runtime,
        durable: options.durable ?? true,
        staleTempMs: nonNegative('staleTempMs', options.staleTempMs ?? 3_600_000),
        legacyFile: options.legacyFile === undefined ? undefined : resolve(options.legacyFile),
        onWarning: options.onWarning ?? ((message) => process.emitWarning(message, 'HandoffsWarning')),
      });
      this.#backend = async () => backend;
    } else if (typeof options.store === 'string') {
      const url = options.store;
      this.dir = redactUrl(url);
      let opened: Promise<HandoffBackend> | undefined;
      const context = {
        runtime: this.#runtime,
        retentionDays: this.retentionDays,
        ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
      };
      this.#backend = () => (opened ??= openBackend(url, context));
    } else if (isBackend(options.store)) {
      const backend = options.store;
      this.dir = backend.location;
      this.#backend = async () => backend;
    } else {
      throw new HandoffError('INVALID_OPTION', 'options.store must be a HandoffBackend or a store URL');
    }
  }

  /** Where the handoffs are: the directory, or the backend's location (credentials removed). */
  get location(): string {
    return this.dir;
  }

  /**
   * Writes a new handoff. It is published whole under a new name, `YYYY-MM-DD_HHMMSS_<slug>.md`,
   * never replacing another; a taken name moves to the next collision suffix (`-2`, `-3`, …).
   * Its front matter records the instant with its UTC offset, and `meta`.
   *
   * @throws HandoffError `INVALID_SLUG`, `INVALID_BODY`, `INVALID_META`, `INVALID_OPTION`, or `IO`.
   */
  async write(input: WriteInput): Promise<HandoffRef> {
    if (typeof input !== 'object' || input === null) {
      throw new HandoffError('INVALID_OPTION', 'write() takes { slug, body, meta? }');
    }
    const slug = normalizeSlug(input.slug);
    const createdAt = this.#runtime.now();
    const data = encodeHandoff(input.body, input.meta, createdAt, this.#timeZone);
    const stamp = formatStamp(createdAt, this.#timeZone);
    const project = typeof input.meta?.project === 'string' ? resolve(input.meta.project) : undefined;
    const backend = await this.#backend();
    const name = await this.#io('write', () => backend.publish({ stamp, slug, createdAt, project, data }));
    const published = parseHandoffName(name);
    return { name, path: this.#path(name), slug: published?.slug ?? slug, createdAt, done: false, state: 'pending' };
  }

  /**
   * The pending handoffs and those claimed but not yet acknowledged, oldest first; with
   * `consumed: true`, the consumed ones too (still kept within retention); with `since`, only those
   * written since then. Temporary files, foreign files, directories and links are skipped.
   */
  async list(options: { consumed?: boolean; since?: Date } = {}): Promise<HandoffRef[]> {
    return (await this.contents(options)).map(({ body: _body, meta: _meta, ...ref }) => ref);
  }

  /**
   * Like `list`, with each handoff's text and front matter: `list` and `read` in one pass.
   */
  async contents(options: { consumed?: boolean; since?: Date } = {}): Promise<HandoffContent[]> {
    const backend = await this.#backend();
    const stored = await this.#io('list', () => backend.list({ consumed: options.consumed === true, since: options.since }));
    return sortByInstant(stored.map((handoff) => this.#content(handoff))).filter(
      (handoff) => options.since === undefined || handoff.createdAt >= options.since,
    );
  }

  /**
   * Reads one handoff, in any state, without claiming it.
   *
   * @throws HandoffError `INVALID_NAME` for a name that is not a handoff's, `NOT_FOUND`, or `IO`.
   */
  async read(name: string): Promise<HandoffContent> {
    if (typeof name !== 'string' || !(parseHandoffName(name) || PRIVATE_NAME.test(name))) {
      throw new HandoffError('INVALID_NAME', `not a handoff name: ${JSON.stringify(name)}`);
    }
    const backend = await this.#backend();
    const stored = await this.#io('read', () => backend.read(name));
    if (!stored) throw new HandoffError('NOT_FOUND', `no handoff ${name}`, { path: this.#path(name) });
    return this.#content(stored);
  }

  /**
   * Claims the pending handoffs in scope, and claims that their holders can no longer acknowledge
   * (lease ended, or holder dead), for this session alone, under a lease. Call `acknowledge()` on
   * the result once their texts are handed on; until then a crash loses nothing.
   *
   * Each handoff is held by one claim at a time, across processes: taking it is one atomic step that
   * only one claimant can win; a lost race is skipped silently.
   *
   * @throws HandoffError `INVALID_OPTION` or `IO`; never because another session got there first.
   */
  async claim(options: ConsumeOptions = {}): Promise<HandoffClaim> {
    const project = options.project === undefined ? undefined : resolve(options.project);
    const leaseMs = options.leaseMs === undefined ? this.leaseMs : positive('leaseMs', options.leaseMs);
    const limit = options.limit === undefined ? undefined : positive('limit', options.limit);
    const batch = this.#batch(options.session);
    const backend = await this.#backend();
    const { claimed, skipped } = await this.#io('claim', () =>
      backend.claim({
        holder: { batch, pid: this.#runtime.pid, host: this.#runtime.host },
        leaseMs,
        now: this.#runtime.now(),
        project,
        session: options.session,
        limit,
      }),
    );
    const items = new Map<string, ClaimedItem>();
    // Each item's bytes are dropped as soon as they are decoded, so that at no moment are all the
    // bodies held twice (as bytes and as text); the claim keeps what acknowledging needs.
    const taken = claimed as Array<ClaimedItem | undefined>;
    const decodedHandoffs: ClaimedHandoff[] = [];
    for (let index = 0; index < taken.length; index++) {
      const item = taken[index]!;
      taken[index] = undefined;
      items.set(item.claim, { ...item, data: NO_BYTES });
      const decoded = decode(item.text ?? item.data);
      const parsed = parseHandoffName(item.name)!;
      decodedHandoffs.push({
        name: item.name,
        path: this.#path(item.claim),
        slug: parsed.slug,
        createdAt: decoded.createdAt(parsed),
        done: false,
        state: 'claimed',
        body: decoded.body,
        meta: decoded.meta,
        redelivered: item.redelivered,
        legacy: item.legacy === true,
        claim: item.claim,
      });
    }
    const handoffs = sortByInstant(decodedHandoffs);
    const held = handoffs.map((handoff) => ({ handoff, item: items.get(handoff.claim)! }));
    const byClaim = new Map(held.map(({ handoff, item }) => [item.claim, handoff]));
    const failedClaims = (failed: ReadonlyArray<{ item: ClaimedItem; code: string }>): FailedClaim[] =>
      failed.map(({ item, code }) => ({ handoff: byClaim.get(item.claim)!, code }));
    const store = this;
    // What this claim still holds: released handoffs leave it, an acknowledgement empties it.
    let holding = held;
    const result = {
      handoffs: held.map(({ handoff }) => handoff),
      skipped,
      batch,
      async acknowledge(): Promise<AcknowledgeResult> {
        const at = store.#runtime.now();
        const acknowledging = holding;
        holding = [];
        const outcome = await store.#io('acknowledge', () => backend.acknowledge(acknowledging.map(({ item }) => item), at));
        const doneNames = new Map(outcome.acknowledged.map(({ item, name }) => [item.claim, name]));
        const consumed: ConsumedHandoff[] = [];
        for (const { handoff, item } of acknowledging) {
          const doneName = doneNames.get(item.claim);
          if (doneName === undefined) continue;
          const { claim: _claim, ...rest } = handoff;
          consumed.push({ ...rest, done: true, state: 'consumed', doneName, path: store.#path(doneName) });
        }
        // A failed acknowledgement leaves the claim held: it stays this claim's to release.
        const failed = new Set(outcome.failed.map(({ item }) => item.claim));
        holding = acknowledging.filter(({ item }) => failed.has(item.claim));
        return { handoffs: consumed, lost: outcome.lost.map((item) => byClaim.get(item.claim)!), failed: failedClaims(outcome.failed) };
      },
      async release(handoffs?: readonly ClaimedHandoff[]) {
        const wanted = handoffs === undefined ? undefined : new Set(handoffs.map((handoff) => handoff.claim));
        const chosen = wanted === undefined ? holding : holding.filter(({ item }) => wanted.has(item.claim));
        const outcome = await store.#io('release', () => backend.release(chosen.map(({ item }) => item)));
        const stillHeld = new Set(outcome.failed.map(({ item }) => item.claim));
        const gone = new Set(chosen.filter(({ item }) => !stillHeld.has(item.claim)).map(({ item }) => item.claim));
        holding = holding.filter(({ item }) => !gone.has(item.claim));
        return { released: outcome.released, lost: outcome.lost.map((item) => byClaim.get(item.claim)!), failed: failedClaims(outcome.failed) };
      },
    };
    return withLazyMerge(result, this.#budget(options)) as HandoffClaim;
  }

  /**
   * Claims every pending handoff in scope and consumes it at once: `claim(options)` then
   * `acknowledge()`, returning the handoffs consumed. For callers that hand the texts on in the same
   * step; a caller that can crash between reading and using them should `claim` and acknowledge
   * after. Sets each consumed handoff's mtime to now, so retention counts from consumption.
   *
   * @throws HandoffError `INVALID_OPTION` or `IO`; never because another consumer got there first.
   */
  async consume(options: ConsumeOptions = {}): Promise<ConsumeResult> {
    const claim = await this.claim(options);
    const { handoffs, failed } = await claim.acknowledge();
    // Not delivered here, so not kept here: give them back now rather than when the lease ends.
    if (failed.length > 0) await claim.release(failed.map((failure) => failure.handoff)).catch(() => {});
    return withLazyMerge({ handoffs, skipped: claim.skipped }, this.#budget(options));
  }

  /**
   * What `consume(options)` would return now, without claiming anything: the pending handoffs in
   * scope with their texts, and the merged text. Another session may still claim them.
   */
  async peek(options: ConsumeOptions = {}): Promise<{ handoffs: HandoffContent[]; merged: string; skipped: SkippedHandoff[] }> {
    const project = options.project === undefined ? undefined : resolve(options.project);
    const backend = await this.#backend();
    const stored = await this.#io('peek', () => backend.list({ consumed: false }));
    const handoffs: HandoffContent[] = [];
    const skipped: SkippedHandoff[] = [];
    for (const content of sortByInstant(stored.filter((handoff) => handoff.state === 'pending').map((handoff) => this.#content(handoff)))) {
      if (project !== undefined && typeof content.meta.project === 'string' && resolve(content.meta.project) !== project) {
        skipped.push({ name: content.name, reason: 'other-project' });
      } else {
        handoffs.push(content);
      }
    }
    return withLazyMerge({ handoffs, skipped }, this.#budget(options));
  }

  /**
   * Puts consumed handoffs back to pending, under new names: by name, everything one session's
   * claims consumed (`session`), or the last batch consumed (`last`). Of two restores of the same
   * handoff, one puts it back; the other reports it missing.
   *
   * @throws HandoffError `INVALID_OPTION`, `INVALID_NAME` or `IO`.
   */
  async restore(options: RestoreOptions): Promise<RestoreResult> {
    if (typeof options !== 'object' || options === null) throw new HandoffError('INVALID_OPTION', 'restore() takes { names?, session?, last? }');
    const names = options.names ?? [];
    for (const name of names) {
      if (!parseHandoffName(name)?.done) throw new HandoffError('INVALID_NAME', `not a consumed handoff name: ${JSON.stringify(name)}`);
    }
    const batch = options.session === undefined ? undefined : this.#batch(options.session);
    const backend = await this.#backend();
    const outcome = await this.#io('restore', () => backend.restore({ names, batch, last: options.last === true }));
    return { restored: outcome.restored, missing: outcome.missing, failed: failures(outcome.failed) };
  }

  /**
   * Deletes consumed handoffs older than the retention window (counted from consumption), and
   * leftovers of killed writers. Never a pending or claimed handoff, never a file outside the
   * grammar; a symbolic link is deleted itself, its target never.
   */
  async cleanup(options: { olderThanDays?: number } = {}): Promise<CleanupResult> {
    const days = nonNegative('olderThanDays', options.olderThanDays ?? this.retentionDays);
    const now = this.#runtime.now();
    const backend = await this.#backend();
    return this.#io('cleanup', () => backend.purge({ consumedBefore: new Date(now.getTime() - days * DAY_MS), now }));
  }

  /**
   * The session-start block in one call: `consume()` (legacy file included), then `cleanup()`. A
   * failed cleanup never costs what was consumed: it is reported as `cleanup.error`.
   */
  async start(options: ConsumeOptions = {}): Promise<StartResult> {
    const consumed = await this.consume(options);
    let cleanup: StartResult['cleanup'];
    try {
      cleanup = await this.cleanup();
    } catch (error) {
      cleanup = { removed: [], temporaryRemoved: [], error: error as HandoffError };
    }
    // Assign rather than spread: spreading would compute the lazy `merged` here.
    return Object.assign(consumed, { cleanup });
  }

  /** The session-end block in one call: `write()`. */
  async end(input: WriteInput): Promise<HandoffRef> {
    return this.write(input);
  }

  /**
   * Yields the names of pending handoffs as they appear — those pending now first, then each new
   * one (written, released or restored) — until `signal` aborts: a planner can wait for work
   * instead of polling. Each name is yielded once per call; another session may claim it first,
   * so follow a name with `claim()`. PostgreSQL announces through LISTEN/NOTIFY, the directory
   * store through filesystem events (polling where the adapter has none).
   *
   * @throws HandoffError `INVALID_OPTION` for a backend that cannot watch.
   */
  async *watch(options: { signal?: AbortSignal } = {}): AsyncGenerator<string> {
    const backend = await this.#backend();
    if (!backend.watch) throw new HandoffError('INVALID_OPTION', `the store at ${this.dir} cannot watch for new handoffs`);
    try {
      for await (const name of backend.watch({ signal: options.signal })) yield name;
    } catch (error) {
      if (error instanceof HandoffError) throw error;
      throw new HandoffError('IO', `watch failed (${errorCode(error) ?? 'UNKNOWN'}) at ${this.dir}`, { cause: error, path: this.dir });
    }
  }

  /** Closes the backend's connections, if it has any. The store is not used after. */
  async close(): Promise<void> {
    const backend = await this.#backend();
    await backend.close?.();
  }

  /** The batch recorded with claims: from the session id, so its claims can be found again. */
  #batch(session: string | undefined): string {
    if (session === undefined) return this.#runtime.uniqueTag().slice(0, 8);
    if (typeof session !== 'string' || session === '') throw new HandoffError('INVALID_OPTION', 'session must be a non-empty string');
    const batch = shortTag(`session:${session}`);
    return BATCH.test(batch) ? batch : this.#runtime.uniqueTag().slice(0, 8);
  }

  #budget(options: ConsumeOptions): MergeBudget {
    return { maxLines: options.maxLines, maxChars: options.maxChars, timeZone: this.#timeZone };
  }

  #content(stored: StoredHandoff): HandoffContent {
    const { body, meta, createdAt } = decode(stored.data);
    return {
      name: stored.name,
      path: this.#path(stored.name),
      slug: stored.slug,
      createdAt: createdAt(stored),
      done: stored.state === 'consumed',
      state: stored.state,
      body,
      meta,
    };
  }

  #path(name: string): string {
    return this.#isFolder ? join(this.dir, name) : `${this.dir.replace(/\/+$/, '')}/${name}`;
  }

  async #io<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof HandoffError) throw error;
      const code = errorCode(error) ?? 'UNKNOWN';
      throw new HandoffError('IO', `${action} failed (${code}) at ${this.dir}`, { cause: error, path: this.dir });
    }
  }
}

function failures(failed: ReadonlyArray<{ item: string; code: string }>): FailedHandoff[] {
  return failed.map(({ item, code }) => ({ name: item, code }));
}

/** Body and front matter; the instant the store recorded becomes `createdAt`, not a meta field. */
function decode(data: Uint8Array | string): { body: string; meta: HandoffMeta; createdAt: (name: { stamp: string }) => Date } {
  const { body, meta } = typeof data === 'string' ? parseFrontMatter(data) : decodeHandoff(data);
  const { [CREATED_KEY]: _created, ...rest } = meta;
  return { body, meta: rest, createdAt: (name) => instantOf(meta, name) };
}

/** Oldest first by the instant written; ties in name order. */
function sortByInstant<T extends { createdAt: Date; name: string }>(items: T[]): T[] {
  return items.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Adds `merged` as a getter computed on first read: a caller that only wants the bodies never holds
 * every body twice (thousands of large handoffs would double the memory). Enumerable, so
 * `JSON.stringify` and spreading still see it.
 */
function withLazyMerge<T extends { name: string; body: string; path: string; createdAt: Date; meta: HandoffMeta }, R extends { handoffs: T[] }>(
  result: R,
  budget: MergeBudget,
): R & { merged: string } {
  let merged: string | undefined;
  return Object.defineProperty(result, 'merged', {
    enumerable: true,
    get: () =>
      (merged ??= mergeHandoffs(
        result.handoffs.map((handoff) => ({
          name: handoff.name,
          body: handoff.body,
          path: handoff.path,
          createdAt: handoff.createdAt,
          from: describeOrigin(handoff.meta),
        })),
        budget,
      )),
  }) as R & { merged: string };
}

function isBackend(value: unknown): value is HandoffBackend {
  const candidate = value as Partial<HandoffBackend> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    ['publish', 'list', 'read', 'claim', 'acknowledge', 'release', 'restore', 'purge'].every(
      (method) => typeof candidate[method as keyof HandoffBackend] === 'function',
    )
  );
}

function nonNegative(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new HandoffError('INVALID_OPTION', `${option} must be a non-negative number, got ${String(value)}`);
  }
  return value;
}

function positive(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new HandoffError('INVALID_OPTION', `${option} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new HandoffError('INVALID_OPTION', `${option} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
  return value as T;
}
