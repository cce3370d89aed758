import type { GitObject, ObjectFormat } from './objects.js';

/**
 * The boundary between the git store's protocol and a remote: three calls, each one round trip,
 * and the local object store they fill. `GitRemote` (git itself, over any transport git speaks)
 * and `MemoryRemote` (in memory, with the same compare-and-swap semantics, for simulation) implement
 * it; the protocol in `backend.ts` sees nothing else.
 */

/** One ref update of a push, with the value the ref must have for it to apply. */
export interface RefUpdate {
  /** The full ref name, e.g. `refs/handoffs/2026-11-25_120000_fix`. */
  readonly ref: string;
  /** The value the ref must hold now; `null`: the ref must not exist. */
  readonly expect: string | null;
  /** The new value; `null` deletes the ref. */
  readonly value: string | null;
}

/**
 * What became of one update:
 * - `applied`: the ref now holds `value` (it may already have held it: a push repeated after a
 *   reply was lost);
 * - `rejected`: the ref did not hold `expect`, or the remote refused; nothing changed;
 * - `unknown`: the remote may or may not have applied it (it failed to report).
 */
export type RefOutcome = 'applied' | 'rejected' | 'unknown';

/** One update's result. */
export interface RefUpdateResult {
  readonly ref: string;
  readonly outcome: RefOutcome;
  /** The remote's or git's words, for `rejected` and `unknown`. */
  readonly reason?: string;
}

/** Why a call to the remote failed as a whole. */
export type RemoteFailure =
  /** Nothing reached the remote: no connection, no such repository, authentication refused. */
  | 'unreachable'
  /** A push failed after it may have reached the remote: any of its updates may have applied. */
  | 'in-doubt';

/** A whole call to the remote failed; see {@link RemoteFailure}. */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  readonly failure: RemoteFailure;

  constructor(failure: RemoteFailure, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.failure = failure;
  }
}

/** Objects on this machine: what was fetched, and what the store wrote to push. */
export interface ObjectStore {
  readonly format: ObjectFormat;
  /** Writes an object (idempotent: the id is its content's hash) and returns its id. */
  write(object: GitObject): Promise<string>;
  /** Writes many objects at once (git's store writes one pack for them). */
  writeMany(objects: readonly GitObject[]): Promise<void>;
  /** Reads objects; a missing or unreadable one is absent from the result. */
  read(ids: readonly string[]): Promise<Map<string, GitObject>>;
}

/** A remote holding handoffs under one ref namespace. */
export interface Remote {
  /** Where it is, for messages (no credentials). */
  readonly location: string;
  /** The ref namespace, e.g. `refs/handoffs`. */
  readonly namespace: string;
  /** The local object store that `list` and `fetch` fill and `push` sends from. */
  readonly objects: ObjectStore;
  /**
   * The refs under the namespace now, full name to object id: one round trip. An implementation may
   * bring the objects they point to in the same round trip (git does); `fetch` then costs nothing.
   *
   * @throws RemoteError `unreachable`.
   */
  list(): Promise<Map<string, string>>;
  /**
   * The refs under the namespace now, without their objects: one round trip, cheaper than `list`
   * when only the names matter (choosing a free name). Optional; `list` is used without it.
   *
   * @throws RemoteError `unreachable`.
   */
  listNames?(): Promise<Map<string, string>>;
  /**
   * Makes these objects, and every object they reach, local: one round trip, none when all are here.
   *
   * @throws RemoteError `unreachable`.
   */
  fetch(ids: readonly string[]): Promise<void>;
  /**
   * Applies updates, each on its own (one may apply while another is rejected), each only if its
   * ref still holds its `expect`: one round trip, none for no updates. Results come in the order of
   * `updates`.
   *
   * @throws RemoteError `unreachable` (nothing applied) or `in-doubt` (any may have applied).
   */
  push(updates: readonly RefUpdate[]): Promise<RefUpdateResult[]>;
  /** Round trips made so far (list, fetch and push calls that reached out). */
  readonly roundTrips: number;
}
