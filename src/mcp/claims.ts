import { randomBytes } from 'node:crypto';
import type { AcknowledgeResult, FailedClaim, HandoffClaim } from '../handoff/store.js';

/**
 * The claims an MCP server holds for its client between `claim_handoffs` and
 * `acknowledge_handoffs`/`release_handoffs`, by claim id.
 *
 * A model acknowledges in a later tool call than the one that claimed, so the `HandoffClaim`
 * objects live here in between. When the server shuts down cleanly every claim still open is
 * released, so the next session gets those handoffs at once; when it dies, the store's lease (and
 * its check that the holder's process is gone) hands them on.
 */

/** Why a claim id was not usable. */
export type ClaimLookupErrorCode = 'UNKNOWN_CLAIM';

/** A claim id that is not (or no longer) open on this server. */
export class ClaimLookupError extends Error {
  override readonly name = 'ClaimLookupError';
  readonly code: ClaimLookupErrorCode = 'UNKNOWN_CLAIM';
}

/** What releasing returns: pending names now, and the names of claims lost or still held. */
export interface ReleaseOutcome {
  released: string[];
  lost: string[];
  failed: Array<{ name: string; code: string }>;
}

interface OpenClaim {
  claim: HandoffClaim;
  /** Claim handles released already: a claim acknowledges only what it still holds. */
  released: Set<string>;
}

/** The open claims of one server. */
export class OpenClaims {
  readonly #open = new Map<string, OpenClaim>();
  #closed = false;

  /** Number of claims still open. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * Keeps a claim and returns its id. After {@link close}, the claim is released at once instead
   * (a call that was still running when the client went away must not hold handoffs until the
   * lease ends), and `undefined` is returned.
   */
  async add(claim: HandoffClaim): Promise<string | undefined> {
    if (this.#closed) {
      await claim.release().catch(() => {});
      return undefined;
    }
    const id = `claim-${randomBytes(6).toString('hex')}`;
    this.#open.set(id, { claim, released: new Set() });
    return id;
  }

  /**
   * Acknowledges every handoff of the claim that is still held: they are consumed. The claim id is
   * closed, whatever the outcome (handoffs whose acknowledgement failed go to a later session once
   * the lease ends).
   *
   * @throws ClaimLookupError `UNKNOWN_CLAIM`.
   */
  async acknowledge(id: string): Promise<AcknowledgeResult> {
    return this.#take(id).claim.acknowledge();
  }

  /**
   * Gives back all the claim's handoffs, or those with these pending names; they are pending again.
   * The claim id stays open while it holds any.
   *
   * @throws ClaimLookupError `UNKNOWN_CLAIM`.
   */
  async release(id: string, names?: readonly string[]): Promise<ReleaseOutcome> {
    const open = this.#get(id);
    const held = open.claim.handoffs.filter((handoff) => !open.released.has(handoff.claim));
    const chosen = names === undefined ? held : held.filter((handoff) => names.includes(handoff.name));
    const outcome = await open.claim.release(chosen);
    const stuck = new Set(outcome.failed.map((failure: FailedClaim) => failure.handoff.claim));
    for (const handoff of chosen) if (!stuck.has(handoff.claim)) open.released.add(handoff.claim);
    if (open.claim.handoffs.every((handoff) => open.released.has(handoff.claim))) this.#open.delete(id);
    return {
      released: outcome.released,
      lost: outcome.lost.map((handoff) => handoff.name),
      failed: outcome.failed.map((failure) => ({ name: failure.handoff.name, code: failure.code })),
    };
  }

  /** The pending names a claim still holds. @throws ClaimLookupError `UNKNOWN_CLAIM`. */
  held(id: string): string[] {
    const open = this.#get(id);
    return open.claim.handoffs.filter((handoff) => !open.released.has(handoff.claim)).map((handoff) => handoff.name);
  }

  /** Releases every open claim and refuses to keep new ones; for a clean shutdown. Never rejects. */
  async close(): Promise<{ released: string[] }> {
    this.#closed = true;
    const released: string[] = [];
    const open = [...this.#open.keys()];
    await Promise.all(
      open.map(async (id) => {
        const outcome = await this.release(id).catch(() => undefined);
        if (outcome) released.push(...outcome.released);
      }),
    );
    this.#open.clear();
    return { released };
  }

  #get(id: string): OpenClaim {
    const open = typeof id === 'string' ? this.#open.get(id) : undefined;
    if (!open) {
      throw new ClaimLookupError(
        `no open claim ${JSON.stringify(id)}: it was acknowledged or released already, or claimed by another server process (claim ids last as long as the server)`,
      );
    }
    return open;
  }

  #take(id: string): OpenClaim {
    const open = this.#get(id);
    this.#open.delete(id);
    return open;
  }
}
