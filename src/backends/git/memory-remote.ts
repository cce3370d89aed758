import { objectId, parseCommit, parseTree, type GitObject, type ObjectFormat } from './objects.js';
import { RemoteError, type ObjectStore, type RefUpdate, type RefUpdateResult, type Remote } from './remote.js';

/**
 * A remote in memory with git's semantics where the protocol depends on them, for the
 * deterministic simulation and the randomized interleaving tests:
 * - each update of a push applies on its own, only if its ref holds the expected value;
 * - an update to the value the ref already holds reports applied whatever was expected, as git's
 *   client reports "up to date" before it checks the lease;
 * - a ref's objects must all reach the remote with the push that sets it.
 * Faults are injected per call: the remote unreachable, or a push applied (or not) whose reply is lost.
 */

/** What a fault hook may make of one call. */
export type MemoryFault =
  /** Nothing reaches the remote; the call fails `unreachable`. */
  | 'unreachable'
  /** A push reaches the remote and applies, but its reply is lost: `in-doubt`. */
  | 'reply-lost'
  /** A push is cut before it applies, and the caller cannot tell: `in-doubt`. */
  | 'cut'
  /**
   * A push applies, its connection dies, and the client replays it (as curl does for smart HTTP):
   * the replay finds its updates already made and reports them rejected by the remote.
   */
  | 'replayed'
  /** The calling process dies before the call reaches the remote (the call throws {@link SimulatedCrash}). */
  | 'crash'
  /** The calling process dies right after a push applied (the call throws {@link SimulatedCrash}). */
  | 'crash-after';

/** Thrown by a call whose process the simulation kills: not a remote failure, so nothing in the store catches it. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/** What a fault hook is told about a call. */
export interface MemoryCall {
  readonly call: 'list' | 'fetch' | 'push';
  /** The `location` of the machine's connection. */
  readonly location: string;
  readonly updates?: readonly RefUpdate[];
}

/** The shared state of an in-memory remote: its refs and objects. Connect machines with {@link MemoryRemoteServer.connect}. */
export class MemoryRemoteServer {
  readonly refs = new Map<string, string>();
  readonly objects = new Map<string, GitObject>();
  readonly format: ObjectFormat;
  /** Decides a fault for each call; none by default. */
  fault: (call: MemoryCall) => MemoryFault | undefined = () => undefined;
  /** Awaited before and after each call takes effect, so that a scheduler can interleave calls. */
  pause: () => Promise<void> = () => Promise.resolve();

  constructor(options: { format?: ObjectFormat } = {}) {
    this.format = options.format ?? 'sha1';
  }

  /**
   * A machine's view of this remote. `objects` is the machine's local object store: share one
   * between the connections of one machine's processes, as they share a disk.
   */
  connect(options: { namespace?: string; location?: string; objects?: MemoryObjects } = {}): MemoryRemote {
    return new MemoryRemote(this, options.namespace ?? 'refs/handoffs', options.location ?? 'memory:remote', options.objects ?? new MemoryObjects(this.format));
  }
}

/** A machine's local objects, in memory. */
export class MemoryObjects implements ObjectStore {
  readonly format: ObjectFormat;
  readonly objects = new Map<string, GitObject>();

  constructor(format: ObjectFormat) {
    this.format = format;
  }

  async write(object: GitObject): Promise<string> {
    const id = objectId(this.format, object);
    this.objects.set(id, { type: object.type, content: Uint8Array.from(object.content) });
    return id;
  }

  async writeMany(objects: readonly GitObject[]): Promise<void> {
    for (const object of objects) await this.write(object);
  }

  async read(ids: readonly string[]): Promise<Map<string, GitObject>> {
    const found = new Map<string, GitObject>();
    for (const id of ids) {
      const object = this.objects.get(id);
      if (object) found.set(id, object);
    }
    return found;
  }
}

/** One machine's connection to a {@link MemoryRemoteServer}. */
export class MemoryRemote implements Remote {
  readonly location: string;
  readonly namespace: string;
  readonly objects: MemoryObjects;
  readonly #server: MemoryRemoteServer;
  #roundTrips = 0;

  constructor(server: MemoryRemoteServer, namespace: string, location: string, objects: MemoryObjects) {
    this.#server = server;
    this.namespace = namespace;
    this.location = location;
    this.objects = objects;
  }

  get roundTrips(): number {
    return this.#roundTrips;
  }

  async list(): Promise<Map<string, string>> {
    await this.#enter('list');
    const prefix = `${this.namespace}/`;
    const refs = new Map([...this.#server.refs].filter(([ref]) => ref.startsWith(prefix)));
    await this.#server.pause();
    return refs;
  }

  async listNames(): Promise<Map<string, string>> {
    return this.list();
  }

  async fetch(ids: readonly string[]): Promise<void> {
    const missing = ids.filter((id) => !this.objects.objects.has(id));
    if (missing.length === 0) return;
    await this.#enter('fetch');
    for (const id of closure(missing, this.#server.objects, this.#server.format)) {
      const object = this.#server.objects.get(id);
      if (object) this.objects.objects.set(id, object);
    }
    await this.#server.pause();
  }

  async push(updates: readonly RefUpdate[]): Promise<RefUpdateResult[]> {
    if (updates.length === 0) return [];
    const fault = await this.#enter('push', updates);
    if (fault === 'cut') throw new RemoteError('in-doubt', `${this.location}: connection cut during push`);
    let results = updates.map((update) => this.#apply(update));
    // The replay finds every update it repeats made already, and the remote refuses each.
    if (fault === 'replayed') {
      results = results.map((result) => (result.outcome === 'applied' ? { ref: result.ref, outcome: 'rejected', reason: '[remote rejected] (failed to update ref)' } : result));
    }
    if (fault === 'crash-after') throw new SimulatedCrash(`${this.location}: process killed after its push applied`);
    await this.#server.pause();
    if (fault === 'reply-lost') throw new RemoteError('in-doubt', `${this.location}: the remote end hung up unexpectedly`);
    return results;
  }

  #apply(update: RefUpdate): RefUpdateResult {
    const { refs, objects } = this.#server;
    const current = refs.get(update.ref) ?? null;
    if (update.value !== null && current === update.value) return { ref: update.ref, outcome: 'applied' };
    if (current !== update.expect) return { ref: update.ref, outcome: 'rejected', reason: '[rejected] (stale info)' };
    if (update.value === null) {
      refs.delete(update.ref);
      return { ref: update.ref, outcome: 'applied' };
    }
    const needed = closure([update.value], this.objects.objects, this.#server.format);
    if (needed.some((id) => !this.objects.objects.has(id) && !objects.has(id))) {
      return { ref: update.ref, outcome: 'rejected', reason: '[remote rejected] (missing necessary objects)' };
    }
    for (const id of needed) if (!objects.has(id)) objects.set(id, this.objects.objects.get(id)!);
    refs.set(update.ref, update.value);
    return { ref: update.ref, outcome: 'applied' };
  }

  async #enter(call: 'list' | 'fetch' | 'push', updates?: readonly RefUpdate[]): Promise<MemoryFault | undefined> {
    await this.#server.pause();
    const fault = this.#server.fault({ call, location: this.location, ...(updates === undefined ? {} : { updates }) });
    if (fault === 'unreachable') throw new RemoteError('unreachable', `${this.location}: remote not reachable`);
    if (fault === 'crash') throw new SimulatedCrash(`${this.location}: process killed before its ${call}`);
    this.#roundTrips++;
    return fault;
  }
}

/** Every object id reachable from `ids` within `objects` (ids not found are included, not followed). */
function closure(ids: readonly string[], objects: ReadonlyMap<string, GitObject>, format: ObjectFormat): string[] {
  const seen = new Set<string>();
  const queue = [...ids];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const object = objects.get(id);
    if (object?.type === 'commit') {
      const commit = parseCommit(object.content);
      if (commit) queue.push(commit.tree, ...commit.parents);
    } else if (object?.type === 'tree') {
      for (const entry of parseTree(object.content, format).values()) queue.push(entry.id);
    }
  }
  return [...seen];
}
