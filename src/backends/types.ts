/**
 * The store backend boundary: where handoffs live and how they move between states, with the
 * guarantees every backend must keep. `HandoffStore` does everything else (validation, encoding,
 * ordering, scoping rules, merging); a backend only stores bytes and moves them.
 *
 * A handoff is in one of three states:
 *
 *   pending ──claim──▶ claimed ──acknowledge──▶ consumed ──purge (after retention)──▶ gone
 *      ▲                  │  │                      │
 *      └──── release ─────┘  └─ lease expired or ───┘
 *      └──────────────────── restore ───────────────┘    holder dead: claimable again
 *
 * The guarantees, for every interleaving of every caller in every process or machine:
 * - `publish` never replaces an existing handoff, in any state.
 * - Each transition out of a state happens at most once: of two callers racing to claim, acknowledge,
 *   release, restore or purge the same handoff, one wins and the other is told it lost (never an
 *   error). No transition is decided on an earlier look at a name that could since hold another
 *   handoff.
 * - A claim is held by one holder at a time. It becomes claimable by others only when its lease has
 *   expired or its holder is known to be dead; the holder's later `acknowledge` then reports it lost.
 * - Nothing is half-written: a reader sees a whole handoff or none.
 *
 * `test/backend-contract.ts` is the suite every backend passes.
 */

/** A new handoff, validated and encoded by `HandoffStore`. */
export interface NewHandoff {
  /** `YYYY-MM-DD_HHMMSS` of the instant, in the writer's clock: the name's prefix. */
  readonly stamp: string;
  /** The normalised slug, without collision suffix. */
  readonly slug: string;
  /** When it was written. */
  readonly createdAt: Date;
  /** The project root it is scoped to, or `undefined` for every project (also in `data`'s front matter). */
  readonly project: string | undefined;
  /** The whole handoff: front matter and body. */
  readonly data: Uint8Array;
}

/** Where a handoff is in its life. */
export type HandoffState = 'pending' | 'claimed' | 'consumed';

/** A handoff as a backend holds it. */
export interface StoredHandoff {
  /** Its name now: in the handoff grammar (`…_<slug>.md`, `…_done.md`), or a backend's claim name. */
  readonly name: string;
  /** The stamp and slug (collision suffix included) it was published with, whatever its state. */
  readonly stamp: string;
  readonly slug: string;
  readonly state: HandoffState;
  /** Its bytes (front matter and body). */
  readonly data: Uint8Array;
  /** `consumed`: when it was acknowledged (retention counts from here). */
  readonly consumedAt?: Date;
  /** `claimed`: when its lease ends. */
  readonly leaseExpiresAt?: Date;
  /** The batch that claimed or consumed it, when known (see {@link ClaimHolder.batch}). */
  readonly batch?: string;
}

/** Who claims: recorded with each claim so that others can tell when it may be taken over. */
export interface ClaimHolder {
  /**
   * Groups the claims of one session (`[a-z0-9]{1,16}`): `restore({ batch })` gives back everything
   * a session took. Derived from the agent's session id, or random per call.
   */
  readonly batch: string;
  /** The holder's process id, on `host`. */
  readonly pid: number;
  /** The holder's host tag. */
  readonly host: string;
}

/** What {@link HandoffBackend.claim} takes. */
export interface ClaimRequest {
  readonly holder: ClaimHolder;
  /** How long the claim is the holder's alone. */
  readonly leaseMs: number;
  /** The current instant (lease expiry and takeover are judged against it). */
  readonly now: Date;
  /** Claim only handoffs scoped to this project root or unscoped; `undefined` claims all. */
  readonly project: string | undefined;
  /**
   * The claiming agent session. Handoffs it wrote itself (front matter `sessionId`) are left for
   * other sessions: a resumed session has its own context already.
   */
  readonly session?: string;
  /** Claim at most this many. Default: all. */
  readonly limit?: number;
}

/** One handoff a claim took. Opaque to the caller but for `name` and `data`. */
export interface ClaimedItem {
  /** The pending name it had (its stamp and slug give its name order). */
  readonly name: string;
  /** Its bytes, read after the claim took it (never from an earlier look); empty when `text` is given. */
  readonly data: Uint8Array;
  /**
   * Its bytes decoded as UTF-8, when the backend decoded each one as it read it: a claim of many
   * large handoffs then never holds every body twice (all the bytes, then all the text).
   */
  readonly text?: string;
  /** True when it was taken over from an earlier holder whose lease expired or who died. */
  readonly redelivered: boolean;
  /** True for the single file of the old pattern, migrated by the directory store. */
  readonly legacy?: boolean;
  /** The backend's handle on the claim, for `acknowledge` and `release`. */
  readonly claim: string;
}

/** A pending handoff a claim left alone, and why. */
export interface SkippedHandoff {
  readonly name: string;
  /**
   * `other-project`: scoped to another project; `own-session`: written by the claiming session;
   * `unreadable`: could not be read, left pending.
   */
  readonly reason: 'other-project' | 'own-session' | 'unreadable';
  /** The error code for `unreadable`. */
  readonly code?: string;
}

/** What {@link HandoffBackend.claim} returns. */
export interface ClaimOutcome {
  readonly claimed: ClaimedItem[];
  readonly skipped: SkippedHandoff[];
}

/** One item of a batch operation that failed; the others went ahead. */
export interface ItemFailure<T> {
  readonly item: T;
  /** The error code (`EIO`, …). */
  readonly code: string;
}

/**
 * What {@link HandoffBackend.acknowledge} returns. One claim's failure never costs the others:
 * a failed acknowledgement leaves that claim held, to be taken over when its lease ends.
 */
export interface AcknowledgeOutcome {
  /** Claims now consumed, with their consumed names. */
  readonly acknowledged: Array<{ readonly item: ClaimedItem; readonly name: string }>;
  /** Claims this holder no longer had: taken over after the lease ended. */
  readonly lost: ClaimedItem[];
  /** Claims still held because acknowledging them failed. */
  readonly failed: Array<ItemFailure<ClaimedItem>>;
}

/** What {@link HandoffBackend.release} returns. */
export interface ReleaseOutcome {
  /** Pending names the released handoffs now have. */
  readonly released: string[];
  readonly lost: ClaimedItem[];
  /** Claims still held because releasing them failed (taken over when their lease ends). */
  readonly failed: Array<ItemFailure<ClaimedItem>>;
}

/** Which consumed handoffs {@link HandoffBackend.restore} puts back. */
export interface RestoreSelector {
  /** Consumed names. */
  readonly names?: readonly string[];
  /** Every handoff consumed by this batch. */
  readonly batch?: string;
  /** The batch of the most recent acknowledgement. */
  readonly last?: boolean;
}

/** What {@link HandoffBackend.restore} returns. */
export interface RestoreOutcome {
  readonly restored: Array<{ readonly from: string; readonly to: string }>;
  /** Names asked for that are not consumed handoffs (any more). */
  readonly missing: string[];
  /** Consumed names that could not be put back (still consumed). */
  readonly failed: Array<ItemFailure<string>>;
}

/** What {@link HandoffBackend.purge} returns. */
export interface PurgeOutcome {
  /** Consumed handoffs deleted. */
  readonly removed: string[];
  /** Leftovers of killed writers deleted (temporary files), where the backend has any. */
  readonly temporaryRemoved: string[];
}

/**
 * A place handoffs live. Implement it to keep handoffs anywhere; pass it as `new HandoffStore({
 * store })`. Every method may be called concurrently from many processes; see the guarantees above.
 * Expected conditions (a race lost, a handoff gone) are results, not errors; failures reject.
 */
export interface HandoffBackend {
  /** Where it is, for messages: a directory, or a URL without credentials. */
  readonly location: string;
  /** Publishes a new handoff under the first free name `<stamp>_<slug>[-N].md`; returns it. */
  publish(handoff: NewHandoff): Promise<string>;
  /**
   * Handoffs pending or claimed, plus consumed ones when asked, in no particular order. `since` is
   * a hint: handoffs written before it may be left out (a backend may return them anyway).
   */
  list(options: { consumed: boolean; since?: Date }): Promise<StoredHandoff[]>;
  /** One handoff by any name `list` gives, or `undefined` when there is none by that name. */
  read(name: string): Promise<StoredHandoff | undefined>;
  /** Claims pending handoffs and claims that may be taken over; see {@link ClaimRequest}. */
  claim(request: ClaimRequest): Promise<ClaimOutcome>;
  /** Makes claims consumed, recording `at` as their consumption time. */
  acknowledge(items: readonly ClaimedItem[], at: Date): Promise<AcknowledgeOutcome>;
  /** Gives claims back: pending again, for anyone. */
  release(items: readonly ClaimedItem[]): Promise<ReleaseOutcome>;
  /** Puts consumed handoffs back to pending. */
  restore(selector: RestoreSelector): Promise<RestoreOutcome>;
  /** Deletes consumed handoffs consumed before `consumedBefore`, and the backend's own debris. */
  purge(options: { consumedBefore: Date; now: Date }): Promise<PurgeOutcome>;
  /**
   * Yields the names of handoffs published from now on (and may yield some already pending), until
   * `signal` aborts. Optional.
   */
  watch?(options: { signal?: AbortSignal }): AsyncIterable<string>;
  /** Releases connections or handles. Optional. */
  close?(): Promise<void>;
}
