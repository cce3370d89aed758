import { join, resolve } from 'node:path';
import { errorCode } from '../../errors.js';
import type { FileSystem } from '../../fs/types.js';
import { decodeHandoff, instantOf } from '../../handoff/codec.js';
import { formatHandoffName, parseHandoffName } from '../../handoff/name.js';
import type { Runtime } from '../../runtime.js';
import { DirectoryBackend } from '../directory/backend.js';
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
import { freeCollisions, leafOf, parseLeaf, parsePresentedName, presentedName, remoteSlug } from './names.js';
import { encodeCommit, encodeTree, objectId, parseCommit, parseTree, type GitObject } from './objects.js';
import { Outbox, type OutboxEntry } from './outbox.js';
import { formatRecord, parseRecord, type StateRecord } from './record.js';
import { RemoteError, type RefUpdate, type Remote } from './remote.js';
import { Repairs, type Repair } from './repairs.js';
import { inScope, pendingAgain, splitItems, takeable, withoutClaim } from './transitions.js';

/** Options of {@link GitBackend}. */
export interface GitBackendOptions {
  /** The local queue: a directory store holding what was written here and not yet published. */
  readonly queueDir: string;
  readonly fs: FileSystem;
  readonly runtime: Runtime;
  /** The remote; `undefined` when there is none (a clone without that remote): everything stays local. */
  readonly remote: Remote | undefined;
  /** Why there is no remote, for the one-line warning. */
  readonly remoteProblem?: string;
  /** Where the store is, for messages. */
  readonly location: string;
  /** Days a consumed handoff is kept on the remote, counted from consumption; expired ones are deleted in the claim push. */
  readonly retentionDays: number;
  /** How long a publisher holds an outbox entry: longer than any push can take. */
  readonly publishLeaseMs: number;
  /** After the remote was out of reach, how long `write` queues without trying it. */
  readonly offlineRetryMs: number;
  /** Pushes a `write` makes at most when its name keeps being taken on the remote. */
  readonly publishAttempts: number;
  /** How long a look at the remote taken by `claim` may serve `purge` right after (the same session start). */
  readonly viewReuseMs: number;
  readonly durable: boolean;
  readonly staleTempMs: number;
  readonly onWarning: (message: string) => void;
}

/** What {@link GitBackend.sync} did. */
export interface SyncResult {
  /** Whether the remote was reached. */
  reached: boolean;
  /** Handoffs published to the remote by this call, by their remote names. */
  published: string[];
  /** Handoffs still only on this machine (queued, or in the outbox awaiting a retry). */
  queued: number;
  /** Claims and acknowledgements whose push was in doubt, now settled on the remote. */
  repaired: number;
  /** Consumed handoffs deleted from the remote after retention. */
  removed: string[];
  /** The one-line reason when the remote was not reached. */
  problem?: string;
}

/** A ref of the namespace as last seen. */
interface ViewEntry {
  readonly leaf: string;
  readonly value: string;
  /** Its state; `undefined` for a ref this store did not write (never claimed, never deleted). */
  readonly record?: StateRecord;
  readonly tree?: string;
}

/** One look at the remote's namespace. */
interface View {
  readonly entries: Map<string, ViewEntry>;
  /** Handoff ids present, to recognise a publish that was in doubt. */
  readonly ids: Map<string, string>;
  /** `performance.now()` when taken. */
  readonly at: number;
  /** The wall clock just before the listing started: what was recorded before it, it saw the outcome of. */
  readonly listedAfter: number;
}

/** What became of one update of a push, including the whole push failing. */
type StepOutcome = 'applied' | 'rejected' | 'unknown' | 'unreachable';

/** One update of a push and what to do with its outcome. */
interface Step {
  readonly update: RefUpdate;
  /**
   * Check a refusal by the remote against a fresh look before believing it. A request replayed
   * after its connection died (curl does this for smart HTTP) finds its own updates made and
   * reports them refused: for an acknowledgement, believing that would leave a handoff consumed
   * and never delivered. Says, from that look, whether the update did take effect.
   */
  readonly verify?: (view: View) => boolean;
  /** Publishes a handoff (for the line that says where a refused one stays). */
  readonly publishes?: boolean;
  settle(outcome: StepOutcome, reason: string | undefined): Promise<void>;
}

/** A handoff moving from this machine to the remote. */
interface Publication {
  entry: OutboxEntry;
  readonly data: Uint8Array;
  /**
   * Taken from the queue by this process, so no push of it was ever made but this process's own:
   * only then does a push that certainly failed prove the remote does not have it.
   */
  readonly fresh: boolean;
  /** Where it ended: published under a leaf, put back into the queue, or left in the outbox. */
  result?: { kind: 'published'; leaf: string } | { kind: 'requeued'; name: string } | { kind: 'kept' };
}

const DATA_FILE = 'handoff.md';
const DAY_MS = 86_400_000;
const OFFLINE_MARKER = '.remote-unreachable';
/** Rejections that mean "another writer or claimer got there first", not "the remote refuses". */
const CONTENTION = /stale info|failed to update ref|failed to lock|cannot lock|already exists|fetch first|non-fast-forward/i;
/** A refusal by the remote itself (not git's own lease check before sending): possibly a replay. */
const REFUSED_BY_REMOTE = /remote rejected/i;

/**
 * Handoffs on a git remote, offline first: every write lands in a local directory store (the queue)
 * at once and is published to the remote as a ref under the store's namespace when the remote is
 * reachable; every state change on the remote is a compare-and-swap of one ref. See docs/GIT-STORE.md.
 *
 * A handoff is pending in exactly one place at a time: the queue (delivered here while the remote
 * is out of reach), the outbox (on its way; never delivered from here), or the remote.
 */
export class GitBackend implements HandoffBackend {
  readonly location: string;
  readonly #options: GitBackendOptions;
  readonly #local: DirectoryBackend;
  readonly #outbox: Outbox;
  readonly #repairs: Repairs;
  readonly #warned = new Set<string>();
  #view: View | undefined;
  /** Consumed handoffs deleted by retention in claim pushes since the last `purge`. */
  #purged: string[] = [];
  /** Objects of updates not pushed yet: written together (one pack) right before the push that needs them. */
  readonly #unwritten = new Map<string, GitObject>();

  constructor(options: GitBackendOptions) {
    this.#options = options;
    this.location = options.location;
    const { queueDir: dir, fs, runtime, durable, staleTempMs, onWarning } = options;
    this.#local = new DirectoryBackend({ dir, fs, runtime, durable, staleTempMs, onWarning });
    this.#outbox = new Outbox({ queueDir: dir, fs, runtime });
    this.#repairs = new Repairs({ queueDir: dir, fs });
  }

  /** The local queue directory. */
  get queueDir(): string {
    return this.#options.queueDir;
  }

  /** The remote, when there is one (its `roundTrips` count what this store cost). */
  get remote(): Remote | undefined {
    return this.#options.remote;
  }

  async publish(handoff: NewHandoff): Promise<string> {
    const name = await this.#local.publish(handoff);
    const { remote, runtime, publishLeaseMs } = this.#options;
    if (!remote) {
      this.#warnNoRemote();
      return name;
    }
    if (await this.#recentlyUnreachable()) return name;
    const parsed = parseHandoffName(name)!;
    const entry = await this.#outbox.take(name, parsed.stamp, parsed.slug, runtime.now().getTime() + publishLeaseMs);
    // Another process (a local claim or a sync) took it in between: it is theirs to deliver or publish.
    if (!entry) return name;
    const data = await this.#outbox.read(entry);
    const publication: Publication = { entry, data, fresh: true };
    const wasOffline = await this.#hadMarker();
    await this.#publishWithRetries(publication);
    // The name may have held another writer's handoff by the time it was taken (claimed, then
    // reused in the same second): that one is published all the same, but it is not this write's.
    if (!sameBytes(data, handoff.data)) return name;
    const result = publication.result;
    if (result?.kind === 'published' && wasOffline) await this.sync().catch(() => undefined);
    if (result?.kind === 'published') return `${result.leaf}.md`;
    if (result?.kind === 'requeued') return result.name;
    return name;
  }

  async list(options: { consumed: boolean }): Promise<StoredHandoff[]> {
    const found = await this.#local.list(options);
    for (const entry of await this.#outbox.list()) {
      const data = await this.#outbox.read(entry).catch(() => undefined);
      if (data) found.push({ name: formatHandoffName(entry.stamp, entry.slug), stamp: entry.stamp, slug: entry.slug, state: 'pending', data });
    }
    const view = await this.#lookOrWarn();
    if (!view) return found;
    const shown = [...view.entries.values()].filter(
      (entry) => entry.record !== undefined && (options.consumed || entry.record.state !== 'consumed'),
    );
    const data = await this.#data(shown);
    for (const entry of shown) {
      const bytes = data.get(entry.leaf);
      if (bytes) found.push(this.#stored(entry, bytes));
    }
    return found;
  }

  async read(name: string): Promise<StoredHandoff | undefined> {
    const local = await this.#local.read(name);
    if (local) return local;
    const parsed = parseHandoffName(name);
    if (parsed && !parsed.done && parsed.tag === undefined) {
      for (const entry of await this.#outbox.list()) {
        if (formatHandoffName(entry.stamp, entry.slug) !== name) continue;
        const data = await this.#outbox.read(entry).catch(() => undefined);
        if (data) return { name, stamp: entry.stamp, slug: entry.slug, state: 'pending', data };
      }
    }
    const wanted = parsePresentedName(name);
    if (!wanted || !this.#options.remote) return undefined;
    const view = await this.#look();
    const entry = view.entries.get(wanted.leaf);
    const record = entry?.record;
    if (!entry || !record || record.state !== wanted.state) return undefined;
    if (wanted.unique !== undefined && wanted.unique !== record.unique) return undefined;
    const data = (await this.#data([entry])).get(entry.leaf);
    return data && this.#stored(entry, data);
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    const now = request.now.getTime();
    const view = await this.#lookOrWarn();
    const local = await this.#local.claim(request);
    const claimed: ClaimedItem[] = local.claimed.map((item) => ({ ...item, claim: `dir:${item.claim}` }));
    const skipped: SkippedHandoff[] = [...local.skipped];
    if (!view) {
      if (this.#options.remote) skipped.push({ name: this.location, reason: 'unreadable', code: 'REMOTE_UNREACHABLE' });
      return { claimed, skipped };
    }
    const steps: Step[] = [];
    const publications: Publication[] = [];
    // Handoffs a push in doubt left claimed or consumed, and not delivered: this claim takes them
    // straight over when they are in its scope; the others are put back to pending below.
    const owed = new Map<string, Repair>();
    for (const repair of await this.#repairs.list()) {
      const entry = view.entries.get(repair.leaf);
      if (entry && repair.values.includes(entry.value) && entry.record && entry.record.state !== 'pending') owed.set(repair.leaf, repair);
    }
    publications.push(...(await this.#heldOutbox(now)));
    // Handoffs of other projects queued here go to the remote, where their own project will find them.
    const otherProjects = local.skipped.filter((skip) => skip.reason === 'other-project').map((skip) => skip.name);
    publications.push(...(await this.#takeQueued(otherProjects, now)));
    steps.push(...(await this.#publishSteps(publications, view, 0)));

    const room = request.limit === undefined ? Infinity : Math.max(0, request.limit - claimed.length);
    const candidates: Array<{ entry: ViewEntry; record: StateRecord; redelivered: boolean }> = [];
    for (const entry of view.entries.values()) {
      const record = entry.record;
      const repaired = owed.has(entry.leaf);
      if (!record || (record.state === 'consumed' && !repaired)) continue;
      if (record.state === 'claimed' && !repaired && !takeable(record, now, this.#options.runtime)) continue;
      if (!inScope(record.project, request.project)) {
        if (record.state === 'pending') skipped.push({ name: `${entry.leaf}.md`, reason: 'other-project' });
        continue;
      }
      if (request.session !== undefined && record.session === request.session) {
        if (record.state === 'pending') skipped.push({ name: `${entry.leaf}.md`, reason: 'own-session' });
        continue;
      }
      candidates.push({ entry, record, redelivered: record.state !== 'pending' });
    }
    candidates.sort((a, b) => a.record.createdAt - b.record.createdAt || compareText(a.entry.leaf, b.entry.leaf));
    const won: Array<{ entry: ViewEntry; value: string; redelivered: boolean }> = [];
    // The lease runs from when the claim is about to be pushed, not from before the look: a slow
    // look must not eat into the holder's time.
    const leaseUntil = Math.max(now, this.#options.runtime.now().getTime()) + request.leaseMs;
    const chosen = candidates.slice(0, room === Infinity ? undefined : room);
    steps.push(...(await this.#repairSteps(view, new Set(chosen.map(({ entry }) => entry.leaf)))));
    for (const { entry, record, redelivered } of chosen) {
      const repair = owed.get(entry.leaf);
      const next: StateRecord = {
        state: 'claimed',
        id: record.id,
        unique: this.#options.runtime.uniqueTag(),
        createdAt: record.createdAt,
        ...(record.project === undefined ? {} : { project: record.project }),
        ...(record.session === undefined ? {} : { session: record.session }),
        batch: request.holder.batch,
        holder: { pid: request.holder.pid, host: request.holder.host },
        leaseUntil,
        leaseMs: request.leaseMs,
      };
      const value = await this.#commit(next, entry.tree!, now);
      steps.push({
        update: { ref: this.#ref(entry.leaf), expect: entry.value, value },
        verify: (now) => now.entries.get(entry.leaf)?.value === value,
        settle: async (outcome) => {
          if (outcome === 'applied') won.push({ entry: { ...entry, value, record: next }, value, redelivered });
          // A claim that may have applied is given back by the next command that reaches the remote.
          else if (outcome === 'unknown') await this.#repairs.add([{ leaf: entry.leaf, claimed: value }]);
          // A repair is done once its value is replaced; refused, it is done only if the value it
          // matched was the last the push in doubt could leave (see Repairs).
          if (repair && (outcome === 'applied' || (outcome === 'rejected' && entry.value === repair.values[repair.values.length - 1]))) {
            await this.#repairs.remove(repair);
          }
        },
      });
    }
    steps.push(...this.#retentionSteps(view, now - this.#options.retentionDays * DAY_MS, this.#purged));
    await this.#run(steps, view);
    await this.#settlePublications(publications);

    const data = await this.#data(won.map(({ entry }) => entry));
    const unreadable: typeof won = [];
    for (const { entry, value, redelivered } of won) {
      const bytes = data.get(entry.leaf);
      if (!bytes) {
        unreadable.push({ entry, value, redelivered });
        skipped.push({ name: `${entry.leaf}.md`, reason: 'unreadable', code: 'MISSING_OBJECT' });
        continue;
      }
      claimed.push({ name: `${entry.leaf}.md`, data: bytes, redelivered, claim: `git:${entry.leaf}:${value}` });
    }
    if (unreadable.length > 0) {
      await this.release(unreadable.map(({ entry, value }) => ({ name: `${entry.leaf}.md`, data: new Uint8Array(), redelivered: false, claim: `git:${entry.leaf}:${value}` })));
    }
    return { claimed, skipped };
  }

  async acknowledge(items: readonly ClaimedItem[], at: Date): Promise<AcknowledgeOutcome> {
    const { local, remote } = splitItems(items);
    const acknowledged: AcknowledgeOutcome['acknowledged'] = [];
    const lost: ClaimedItem[] = [];
    const failed: AcknowledgeOutcome['failed'] = [];
    const steps: Step[] = [];
    const held = await this.#heldRecords(remote);
    for (const { item, leaf, value, record, tree } of held) {
      if (!record || record.state !== 'claimed') {
        lost.push(item);
        continue;
      }
      const next: StateRecord = { ...withoutClaim(record), state: 'consumed', unique: this.#options.runtime.uniqueTag(), consumedAt: at.getTime() };
      const consumedValue = await this.#commit(next, tree!, at.getTime());
      steps.push({
        update: { ref: this.#ref(leaf), expect: value, value: consumedValue },
        verify: (now) => now.entries.get(leaf)?.value === consumedValue,
        settle: async (outcome) => {
          if (outcome === 'applied') return void acknowledged.push({ item, name: presentedName(leaf, 'consumed', next.unique, next.batch) });
          lost.push(item);
          // Not delivered now; if the push did apply, the handoff would be consumed and never read,
          // or held until its lease ends: the next command puts it back to pending.
          if (outcome === 'unknown') await this.#repairs.add([{ leaf, claimed: value, consumed: consumedValue }]);
          if (outcome === 'unreachable') await this.#repairs.add([{ leaf, claimed: value }]);
        },
      });
    }
    if (steps.length > 0) await this.#run(steps, this.#view);
    if (local.length > 0) {
      const outcome = await this.#local.acknowledge(local.map(({ inner }) => inner), at);
      const outer = new Map(local.map(({ item, inner }) => [inner, item]));
      for (const entry of outcome.acknowledged) acknowledged.push({ item: outer.get(entry.item)!, name: entry.name });
      for (const inner of outcome.lost) lost.push(outer.get(inner)!);
      for (const failure of outcome.failed) failed.push({ item: outer.get(failure.item)!, code: failure.code });
    }
    return { acknowledged, lost, failed };
  }

  async release(items: readonly ClaimedItem[]): Promise<ReleaseOutcome> {
    const { local, remote } = splitItems(items);
    const released: string[] = [];
    const lost: ClaimedItem[] = [];
    const failed: ReleaseOutcome['failed'] = [];
    const steps: Step[] = [];
    let failure: RemoteError | undefined;
    for (const { item, leaf, value, record, tree } of await this.#heldRecords(remote)) {
      if (!record || record.state !== 'claimed') {
        lost.push(item);
        continue;
      }
      const next = pendingAgain(record, this.#options.runtime.uniqueTag());
      const pendingValue = await this.#commit(next, tree!, this.#options.runtime.now().getTime());
      steps.push({
        update: { ref: this.#ref(leaf), expect: value, value: pendingValue },
        settle: async (outcome, reason) => {
          if (outcome === 'applied') return void released.push(`${leaf}.md`);
          if (outcome === 'rejected') return void lost.push(item);
          await this.#repairs.add([{ leaf, claimed: value }]);
          failure ??= new RemoteError(outcome === 'unknown' ? 'in-doubt' : 'unreachable', `release on ${this.location} failed: ${reason ?? outcome}`);
        },
      });
    }
    if (steps.length > 0) await this.#run(steps, this.#view);
    if (local.length > 0) {
      const outcome = await this.#local.release(local.map(({ inner }) => inner));
      const outer = new Map(local.map(({ item, inner }) => [inner, item]));
      released.push(...outcome.released);
      for (const inner of outcome.lost) lost.push(outer.get(inner)!);
      for (const failure of outcome.failed) failed.push({ item: outer.get(failure.item)!, code: failure.code });
    }
    // Given back by the next command that reaches the remote, or when the lease ends.
    if (failure) throw failure;
    return { released, lost, failed };
  }

  async restore(selector: RestoreSelector): Promise<RestoreOutcome> {
    let batch = selector.batch;
    const view = selector.names?.length || selector.batch !== undefined || selector.last ? await this.#lookOrWarn() : undefined;
    if (selector.last) batch = (await this.#lastBatch(view)) ?? batch;
    const local = await this.#local.restore({ names: selector.names ?? [], ...(batch === undefined ? {} : { batch }) });
    const restored = [...local.restored];
    const missing: string[] = [];
    const failed = [...local.failed];
    if (!view) return { restored, missing: local.missing, failed };
    const wanted = new Map<string, string>();
    for (const name of local.missing) {
      const parsed = parsePresentedName(name);
      const entry = parsed?.state === 'consumed' ? view.entries.get(parsed.leaf) : undefined;
      if (entry?.record?.state === 'consumed' && entry.record.unique === parsed!.unique) wanted.set(entry.leaf, name);
      else missing.push(name);
    }
    if (batch !== undefined) {
      for (const entry of view.entries.values()) {
        const record = entry.record;
        if (record?.state === 'consumed' && record.batch === batch) wanted.set(entry.leaf, presentedName(entry.leaf, 'consumed', record.unique, record.batch));
      }
    }
    const steps: Step[] = [];
    let failure: RemoteError | undefined;
    const now = this.#options.runtime.now().getTime();
    for (const [leaf, from] of wanted) {
      const entry = view.entries.get(leaf)!;
      const next = pendingAgain(entry.record!, this.#options.runtime.uniqueTag());
      const value = await this.#commit(next, entry.tree!, now);
      steps.push({
        update: { ref: this.#ref(leaf), expect: entry.value, value },
        settle: async (outcome, reason) => {
          if (outcome === 'applied') return void restored.push({ from, to: `${leaf}.md` });
          if (outcome === 'rejected') return void missing.push(from);
          failure ??= new RemoteError(outcome === 'unknown' ? 'in-doubt' : 'unreachable', `restore on ${this.location} failed: ${reason ?? outcome}`);
        },
      });
    }
    await this.#run(steps, view);
    if (failure) throw failure;
    return { restored, missing, failed };
  }

  async purge(options: { consumedBefore: Date; now: Date }): Promise<PurgeOutcome> {
    const local = await this.#local.purge(options);
    const removed = [...local.removed];
    if (this.#options.remote) {
      const reusable = this.#view && performance.now() - this.#view.at <= this.#options.viewReuseMs ? this.#view : undefined;
      const view = reusable ?? (await this.#lookOrWarn());
      if (view) await this.#run(this.#retentionSteps(view, options.consumedBefore.getTime(), this.#purged), view);
      removed.push(...this.#purged.splice(0));
    }
    return { removed: removed.sort(), temporaryRemoved: local.temporaryRemoved };
  }

  /**
   * Publishes everything this machine holds for the remote (the queue and the outbox), settles
   * claims and acknowledgements left in doubt, and deletes consumed handoffs past retention: one
   * look and one push.
   */
  async sync(): Promise<SyncResult> {
    const { remote, runtime } = this.#options;
    const queuedNow = async () => (await this.#queuedNames()).length + (await this.#outbox.list()).length;
    if (!remote) return { reached: false, published: [], queued: await queuedNow(), repaired: 0, removed: [], problem: this.#noRemoteMessage() };
    let view: View;
    try {
      view = await this.#look();
    } catch (error) {
      if (!(error instanceof RemoteError)) throw error;
      return { reached: false, published: [], queued: await queuedNow(), repaired: 0, removed: [], problem: error.message };
    }
    const now = runtime.now().getTime();
    const publications = [...(await this.#heldOutbox(now)), ...(await this.#takeQueued(await this.#queuedNames(), now))];
    const repairs = await this.#repairSteps(view, new Set());
    let repaired = 0;
    const steps = [
      ...repairs.map((step) => ({ ...step, settle: async (outcome: StepOutcome, reason: string | undefined) => {
        if (outcome === 'applied') repaired++;
        await step.settle(outcome, reason);
      } })),
      ...(await this.#publishSteps(publications, view, 0)),
    ];
    const removed: string[] = [];
    steps.push(...this.#retentionSteps(view, now - this.#options.retentionDays * DAY_MS, removed));
    await this.#run(steps, view);
    await this.#settlePublications(publications);
    const published = publications.flatMap((p) => (p.result?.kind === 'published' ? [`${p.result.leaf}.md`] : []));
    return { reached: true, published, queued: await queuedNow(), repaired, removed: removed.sort() };
  }

  async close(): Promise<void> {}

  // --- the remote -------------------------------------------------------------------------

  /** Lists the namespace and reads the state of every ref: one round trip (two if objects were missing). */
  async #look(): Promise<View> {
    const remote = this.#options.remote!;
    const listedAfter = Date.now() - 1;
    let refs: Map<string, string>;
    try {
      refs = await remote.list();
      await remote.fetch([...new Set(refs.values())]);
    } catch (error) {
      if (error instanceof RemoteError && error.failure === 'unreachable') await this.#markUnreachable();
      throw error;
    }
    await this.#clearMarker();
    const prefix = `${remote.namespace}/`;
    const objects = await remote.objects.read([...new Set(refs.values())]);
    const entries = new Map<string, ViewEntry>();
    const ids = new Map<string, string>();
    for (const [ref, value] of refs) {
      if (!ref.startsWith(prefix)) continue;
      const leaf = ref.slice(prefix.length);
      const object = objects.get(value);
      const commit = object?.type === 'commit' && parseLeaf(leaf) ? parseCommit(object.content) : undefined;
      const record = commit ? parseRecord(commit.message) : undefined;
      if (!record) {
        this.#warnOnce(`ignoring ${ref} on ${this.location}: not a handoff this version wrote (left as it is)`);
        entries.set(leaf, { leaf, value });
        continue;
      }
      entries.set(leaf, { leaf, value, record, tree: commit!.tree });
      ids.set(record.id, leaf);
    }
    this.#view = { entries, ids, at: performance.now(), listedAfter };
    return this.#view;
  }

  /** {@link #look}, or `undefined` with a one-line warning when the remote is out of reach. */
  async #lookOrWarn(): Promise<View | undefined> {
    if (!this.#options.remote) {
      this.#warnNoRemote();
      return undefined;
    }
    try {
      return await this.#look();
    } catch (error) {
      if (!(error instanceof RemoteError)) throw error;
      const queued = (await this.#queuedNames()).length + (await this.#outbox.list()).length;
      this.#warnOnce(`remote ${this.location} not reached (${error.message}); using this machine's handoffs only` +
        (queued > 0 ? `, ${queued} waiting to be published` : ''));
      return undefined;
    }
  }

  /** Pushes the steps' updates as one push and settles each; updates the view with what applied. */
  async #run(steps: readonly Step[], view: View | undefined): Promise<void> {
    if (steps.length === 0) return;
    const remote = this.#options.remote!;
    let outcomes: Array<{ outcome: StepOutcome; reason: string | undefined }>;
    const needed = [...this.#unwritten.values()];
    this.#unwritten.clear();
    await remote.objects.writeMany(needed);
    try {
      const results = await remote.push(steps.map((step) => step.update));
      outcomes = results.map((result) => ({ outcome: result.outcome, reason: result.reason }));
      await this.#clearMarker();
    } catch (error) {
      if (!(error instanceof RemoteError)) throw error;
      if (error.failure === 'unreachable') await this.#markUnreachable();
      const outcome: StepOutcome = error.failure === 'unreachable' ? 'unreachable' : 'unknown';
      outcomes = steps.map(() => ({ outcome, reason: error.message }));
      this.#warnOnce(`push to ${this.location} failed (${error.message}); ` +
        (outcome === 'unknown' ? 'what it changed is settled by the next command that reaches the remote' : 'nothing was changed there'));
    }
    const doubtful = steps.filter((step, index) => step.verify && outcomes[index]?.outcome === 'rejected' && REFUSED_BY_REMOTE.test(outcomes[index]!.reason ?? ''));
    if (doubtful.length > 0) {
      let now: View | undefined;
      try {
        now = await this.#look();
      } catch (error) {
        if (!(error instanceof RemoteError)) throw error;
      }
      for (const [index, step] of steps.entries()) {
        if (!doubtful.includes(step)) continue;
        if (now === undefined) outcomes[index] = { outcome: 'unknown', reason: 'refused, and the remote could not be checked' };
        else if (step.verify!(now)) outcomes[index] = { outcome: 'applied', reason: undefined };
      }
    }
    for (const [index, step] of steps.entries()) {
      const { outcome, reason } = outcomes[index] ?? { outcome: 'unknown' as const, reason: 'no result' };
      if (outcome === 'applied' && view) this.#applyToView(view, step.update);
      await step.settle(outcome, reason);
    }
    this.#reportRefusals(steps, outcomes);
  }

  /** One line for updates the remote refused for a reason other than losing a race. */
  #reportRefusals(steps: readonly Step[], outcomes: ReadonlyArray<{ outcome: StepOutcome; reason: string | undefined }>): void {
    const refused = steps.filter((_, index) => outcomes[index]?.outcome === 'rejected' && !CONTENTION.test(outcomes[index]?.reason ?? ''));
    if (refused.length === 0) return;
    const raw = outcomes[steps.indexOf(refused[0]!)]!.reason ?? 'refused';
    const reason = raw.replace(/^\[[^\]]*\]\s*/, '').replace(/^\((.*)\)$/, '$1');
    const what = refused.length === 1 ? refused[0]!.update.ref : `${refused.length} updates`;
    const hint = /missing necessary objects/i.test(reason) ? '; a ref there points at a missing object, which makes it refuse every push until its owner repairs it (git fsck)' : '';
    const stays = refused.some((step) => step.publishes) ? `; ${refused.length === 1 ? 'the handoff stays' : 'handoffs to publish stay'} on this machine` : '';
    // Once per reason: a remote that refuses everything says so once, not once per handoff.
    this.#warnOnce(`${this.location} refused ${what} (${reason})${hint}${stays}`, `refused:${reason}`);
  }

  /** Keeps the last view in step with this process's own applied updates (so `purge` can reuse it). */
  #applyToView(view: View, update: RefUpdate): void {
    const leaf = update.ref.slice(this.#options.remote!.namespace.length + 1);
    if (update.value === null) return void view.entries.delete(leaf);
    view.entries.set(leaf, { leaf, value: update.value });
  }

  // --- publishing ---------------------------------------------------------------------------

  /**
   * Publishes one handoff, choosing another free name each time its name is taken first. A push in
   * doubt ends the retries, and a refusal by the remote itself (possibly a replay of a push that
   * applied) is checked against a full look before it counts; so before a retry the handoff is
   * certainly not on the remote, and the names alone are enough to choose the next one.
   */
  async #publishWithRetries(publication: Publication): Promise<void> {
    const remote = this.#options.remote!;
    let view: View | undefined;
    for (let attempt = 0; attempt < this.#options.publishAttempts; attempt++) {
      publication.result = undefined;
      await this.#run(await this.#publishSteps([publication], view, attempt), undefined);
      if (publication.result !== undefined) return this.#settlePublications([publication]);
      try {
        view = remote.listNames ? namesOnly(await remote.listNames(), remote.namespace) : await this.#look();
      } catch (error) {
        if (!(error instanceof RemoteError)) throw error;
        break;
      }
    }
    await this.#settlePublications([publication]);
  }

  /**
   * The create updates publishing these handoffs: each under a free name on `view` (on the first
   * attempt without a view, the name it has in the queue), expecting the ref not to exist. A
   * handoff whose identity the remote already shows was published by a push that was in doubt.
   */
  async #publishSteps(publications: Publication[], view: View | undefined, attempt: number): Promise<Step[]> {
    const steps: Step[] = [];
    const listed = new Set(view?.entries.keys() ?? []);
    const chosen = new Set<string>();
    for (const publication of publications) {
      const { entry } = publication;
      const already = view?.ids.get(entry.id);
      if (already !== undefined) {
        publication.result = { kind: 'published', leaf: already };
        continue;
      }
      const { base, collision } = remoteSlug(entry.slug);
      let target = entry.target;
      if (target > 0) {
        // The name the last push aimed at comes first: while that push may still land, only a
        // repeat of it (same name, same commit) is safe; another name could make a second handoff.
        // Only a listing that shows the name held by another handoff proves it never will.
        const leaf = leafOf(entry.stamp, base, target);
        if (listed.has(leaf)) target = 0;
        else if (chosen.has(leaf)) {
          // Another entry aims there in this very push; this one waits for the next command.
          publication.result = { kind: 'kept' };
          continue;
        }
      } else if (!view && !chosen.has(leafOf(entry.stamp, base, collision))) {
        target = collision;
      }
      if (target === 0) {
        // Retries spread over the first free names, so same-second writers stop colliding.
        const free = freeCollisions(new Set([...listed, ...chosen]), entry.stamp, base, 1, attempt === 0 ? 1 : attempt === 1 ? 8 : 16);
        target = free[randomIndex(this.#options.runtime, free.length)]!;
      }
      const leaf = leafOf(entry.stamp, base, target);
      chosen.add(leaf);
      if (target !== entry.target) {
        const retargeted = await this.#outbox.retarget(entry, target);
        if (!retargeted) {
          publication.result = { kind: 'kept' };
          continue;
        }
        publication.entry = retargeted;
      }
      const value = await this.#pendingCommit(entry, publication.data);
      steps.push({
        update: { ref: this.#ref(leaf), expect: null, value },
        publishes: true,
        // A replayed create reports its own ref as refused: choosing another name would publish
        // twice. It may be claimed already by the time of the look: its identity says it is there.
        verify: (now) => now.ids.get(entry.id) === leaf,
        settle: async (outcome, reason) => {
          if (outcome === 'applied') publication.result = { kind: 'published', leaf };
          else if (outcome === 'unknown') publication.result = { kind: 'kept' };
          else if (outcome === 'unreachable') publication.result = publication.fresh ? { kind: 'requeued', name: '' } : { kind: 'kept' };
          else if (!CONTENTION.test(reason ?? '')) publication.result = publication.fresh ? { kind: 'requeued', name: '' } : { kind: 'kept' };
          // Any other rejection: the name was taken first; left unsettled for a retry.
        },
      });
    }
    return steps;
  }

  /** Acts on where each publication ended: published ones leave the outbox, others wait or go back. */
  async #settlePublications(publications: readonly Publication[]): Promise<void> {
    for (const publication of publications) {
      const result = publication.result;
      if (result?.kind === 'published') {
        await this.#outbox.remove(publication.entry);
      } else if (result?.kind === 'requeued') {
        // Certainly not on the remote: deliverable here again.
        const name = await this.#outbox.requeue(publication.entry);
        publication.result = name === undefined ? { kind: 'kept' } : { kind: 'requeued', name };
      } else {
        // In doubt, or its name kept being taken: any later command settles it by its identity.
        await this.#outbox.free(publication.entry);
        publication.result = { kind: 'kept' };
      }
    }
  }

  /** Outbox entries nobody is publishing now (left by a failed or killed publisher), taken over. */
  async #heldOutbox(now: number): Promise<Publication[]> {
    const publications: Publication[] = [];
    for (const entry of await this.#outbox.list()) {
      if (!this.#outbox.mayTake(entry, now)) continue;
      const held = await this.#outbox.hold(entry, now + this.#options.publishLeaseMs);
      if (!held) continue;
      const data = await this.#outbox.read(held).catch(() => undefined);
      if (data) publications.push({ entry: held, data, fresh: false });
    }
    return publications;
  }

  /** Moves queued handoffs (pending names of the local store) into the outbox for publishing. */
  async #takeQueued(names: readonly string[], now: number): Promise<Publication[]> {
    const publications: Publication[] = [];
    for (const name of names) {
      const parsed = parseHandoffName(name);
      if (!parsed || parsed.done) continue;
      const entry = await this.#outbox.take(name, parsed.stamp, parsed.slug, now + this.#options.publishLeaseMs);
      if (!entry) continue;
      const data = await this.#outbox.read(entry).catch(() => undefined);
      if (data) publications.push({ entry, data, fresh: true });
    }
    return publications;
  }

  /** Pending names in the queue directory. */
  async #queuedNames(): Promise<string[]> {
    try {
      const entries = await this.#options.fs.readdir(this.#options.queueDir);
      return entries.filter((entry) => entry.kind === 'file' && parseHandoffName(entry.name)?.done === false).map((entry) => entry.name);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw error;
    }
  }

  // --- repairs and retention ----------------------------------------------------------------

  /** Updates that put back handoffs a push in doubt may have left claimed or consumed. */
  async #repairSteps(view: View, claimedNow: ReadonlySet<string>): Promise<Step[]> {
    const steps: Step[] = [];
    const now = this.#options.runtime.now().getTime();
    for (const repair of await this.#repairs.list()) {
      if (claimedNow.has(repair.leaf)) continue;
      const entry = view.entries.get(repair.leaf);
      const held = entry !== undefined && repair.values.includes(entry.value) && entry.record !== undefined && entry.record.state !== 'pending';
      if (!held) {
        // Neither value: gone for good, but only a look taken after the repair was recorded can say so.
        if (repair.recordedAt < view.listedAfter) await this.#repairs.remove(repair);
        continue;
      }
      const next = pendingAgain(entry.record!, this.#options.runtime.uniqueTag());
      const value = await this.#commit(next, entry.tree!, now);
      steps.push({
        update: { ref: this.#ref(repair.leaf), expect: entry.value, value },
        settle: async (outcome) => {
          // Applied: put back. Rejected: the ref moved on from the value, which never comes back;
          // a consumed value the acknowledgement may still leave is caught by the next look.
          if (outcome === 'applied' || (outcome === 'rejected' && entry.value === repair.values[repair.values.length - 1])) {
            await this.#repairs.remove(repair);
          }
        },
      });
    }
    return steps;
  }

  /** Deletes of consumed handoffs consumed before `cutoff`; the names deleted go into `removed`. */
  #retentionSteps(view: View, cutoff: number, removed: string[]): Step[] {
    const steps: Step[] = [];
    for (const entry of view.entries.values()) {
      const record = entry.record;
      if (record?.state !== 'consumed' || record.consumedAt! >= cutoff) continue;
      steps.push({
        update: { ref: this.#ref(entry.leaf), expect: entry.value, value: null },
        settle: async (outcome) => {
          if (outcome === 'applied') removed.push(presentedName(entry.leaf, 'consumed', record.unique, record.batch));
        },
      });
    }
    return steps;
  }

  // --- objects ------------------------------------------------------------------------------

  /** A state commit over `tree`: its id now, its bytes written with the push that needs them. */
  async #commit(record: StateRecord, tree: string, at: number): Promise<string> {
    return this.#stage(encodeCommit({ tree, parents: [], time: at / 1000, message: formatRecord(record) }));
  }

  #stage(object: GitObject): string {
    const id = objectId(this.#options.remote!.objects.format, object);
    this.#unwritten.set(id, object);
    return id;
  }

  /**
   * The pending commit publishing an outbox entry. It depends only on the entry, so any process
   * publishing it again writes the same commit: a repeat of a push whose reply was lost is then
   * "up to date", never a second handoff.
   */
  async #pendingCommit(entry: OutboxEntry, data: Uint8Array): Promise<string> {
    const blob = this.#stage({ type: 'blob', content: data });
    const tree = this.#stage(encodeTree(DATA_FILE, blob));
    const { meta } = decodeHandoff(data);
    const createdAt = instantOf(meta, { stamp: entry.stamp }).getTime();
    const record: StateRecord = {
      state: 'pending',
      id: entry.id,
      unique: entry.id,
      createdAt,
      ...(typeof meta.project === 'string' ? { project: resolve(meta.project) } : {}),
      ...(typeof meta.sessionId === 'string' ? { session: meta.sessionId } : {}),
    };
    return this.#commit(record, tree, createdAt);
  }

  /** The bytes of these refs' handoffs, by leaf (absent when an object is missing or malformed). */
  async #data(entries: readonly ViewEntry[]): Promise<Map<string, Uint8Array>> {
    const objects = this.#options.remote!.objects;
    const withTree = entries.filter((entry) => entry.tree !== undefined);
    const trees = await objects.read([...new Set(withTree.map((entry) => entry.tree!))]);
    const blobOf = new Map<string, string>();
    for (const entry of withTree) {
      const tree = trees.get(entry.tree!);
      if (tree?.type !== 'tree') continue;
      try {
        const file = parseTree(tree.content, objects.format).get(DATA_FILE);
        if (file && file.mode === '100644') blobOf.set(entry.leaf, file.id);
      } catch {
        // A malformed tree: that handoff is unreadable, the others are not.
      }
    }
    const blobs = await objects.read([...new Set(blobOf.values())]);
    const data = new Map<string, Uint8Array>();
    for (const [leaf, id] of blobOf) {
      const blob = blobs.get(id);
      if (blob?.type === 'blob') data.set(leaf, blob.content);
    }
    return data;
  }

  /** The records and trees of claims held through `items`, read from the local objects. */
  async #heldRecords(items: ReadonlyArray<{ item: ClaimedItem; leaf: string; value: string }>): Promise<
    Array<{ item: ClaimedItem; leaf: string; value: string; record: StateRecord | undefined; tree: string | undefined }>
  > {
    if (items.length === 0) return [];
    const objects = await this.#options.remote!.objects.read(items.map(({ value }) => value));
    return items.map(({ item, leaf, value }) => {
      const object = objects.get(value);
      const commit = object?.type === 'commit' ? parseCommit(object.content) : undefined;
      return { item, leaf, value, record: commit && parseRecord(commit.message), tree: commit?.tree };
    });
  }

  #stored(entry: ViewEntry, data: Uint8Array): StoredHandoff {
    const record = entry.record!;
    const { stamp, slug } = parseLeaf(entry.leaf)!;
    return {
      name: presentedName(entry.leaf, record.state, record.unique, record.batch),
      stamp,
      slug,
      state: record.state,
      data,
      ...(record.consumedAt === undefined ? {} : { consumedAt: new Date(record.consumedAt) }),
      ...(record.leaseUntil === undefined ? {} : { leaseExpiresAt: new Date(record.leaseUntil) }),
      ...(record.batch === undefined ? {} : { batch: record.batch }),
    };
  }

  /** The batch of the most recent acknowledgement, here or on the remote. */
  async #lastBatch(view: View | undefined): Promise<string | undefined> {
    let newest: { batch: string; at: number } | undefined;
    for (const handoff of await this.#local.list({ consumed: true })) {
      const at = handoff.consumedAt?.getTime();
      if (handoff.state === 'consumed' && handoff.batch && at !== undefined && (!newest || at > newest.at)) newest = { batch: handoff.batch, at };
    }
    for (const entry of view?.entries.values() ?? []) {
      const record = entry.record;
      if (record?.state === 'consumed' && record.batch && (!newest || record.consumedAt! > newest.at)) newest = { batch: record.batch, at: record.consumedAt! };
    }
    return newest?.batch;
  }

  #ref(leaf: string): string {
    return `${this.#options.remote!.namespace}/${leaf}`;
  }

  // --- being offline ------------------------------------------------------------------------

  /** Whether a command found the remote out of reach within `offlineRetryMs`. */
  async #recentlyUnreachable(): Promise<boolean> {
    const info = await this.#options.fs.lstat(this.#marker()).catch(() => undefined);
    return info !== undefined && this.#options.runtime.now().getTime() - info.mtimeMs < this.#options.offlineRetryMs;
  }

  async #hadMarker(): Promise<boolean> {
    return (await this.#options.fs.lstat(this.#marker()).catch(() => undefined)) !== undefined;
  }

  async #markUnreachable(): Promise<void> {
    const { fs, runtime } = this.#options;
    const now = runtime.now();
    try {
      await fs.mkdir(this.#options.queueDir, { recursive: true, mode: 0o700 });
      await fs.createFile(this.#marker(), new Uint8Array(), { mode: 0o600, sync: false }).catch((error: unknown) => {
        if (errorCode(error) !== 'EEXIST') throw error;
      });
      await fs.utimes(this.#marker(), now, now);
    } catch {
      // Only a hint for `write`; failing to leave it costs a connection attempt, nothing else.
    }
  }

  async #clearMarker(): Promise<void> {
    await this.#options.fs.unlink(this.#marker()).catch(() => undefined);
  }

  #marker(): string {
    return join(this.#options.queueDir, OFFLINE_MARKER);
  }

  #noRemoteMessage(): string {
    return `${this.#options.remoteProblem ?? `no remote for ${this.location}`}; handoffs stay on this machine`;
  }

  #warnNoRemote(): void {
    this.#warnOnce(this.#noRemoteMessage());
  }

  #warnOnce(message: string, key = message): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#options.onWarning(message);
  }
}

/** A view of names only (no states): enough to choose a free name, nothing else. */
function namesOnly(refs: ReadonlyMap<string, string>, namespace: string): View {
  const entries = new Map<string, ViewEntry>();
  for (const [ref, value] of refs) if (ref.startsWith(`${namespace}/`)) entries.set(ref.slice(namespace.length + 1), { leaf: ref.slice(namespace.length + 1), value });
  return { entries, ids: new Map(), at: performance.now(), listedAfter: Date.now() - 1 };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** A pseudo-random index below `length` from the runtime's randomness (deterministic under simulation). */
function randomIndex(runtime: Runtime, length: number): number {
  if (length <= 1) return 0;
  return parseInt(runtime.uniqueTag().slice(-6), 36) % length;
}
