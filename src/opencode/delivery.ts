import type { ConsumeOptions, HandoffClaim, HandoffStore } from '../handoff/store.js';
import { failureNote, handoffContext } from './context-text.js';

/**
 * The handoffs of one OpenCode session, from claim to acknowledgement:
 *
 * 1. `session.created`: {@link HandoffDelivery.start} claims the project's pending handoffs under
 *    the store's lease, so that of two sessions starting at once each gets its own.
 * 2. The session's first `chat.message`: {@link HandoffDelivery.take} gives the text to add to it
 *    (once; later messages get nothing). A claim held for half its lease or more is given back and
 *    claimed afresh first, so a session that waited long before its first message never adds
 *    handoffs another session may already have taken over.
 * 3. Proof that OpenCode saved the message with that text (the part's `message.part.updated`, or a
 *    model request of the session): {@link HandoffDelivery.confirm} acknowledges the claim. Only
 *    then are the handoffs consumed.
 * 4. `session.idle` or shutdown with the text never added or never saved:
 *    {@link HandoffDelivery.settle} gives the claim back, pending for the next session. A process
 *    that dies first leaves it to the lease.
 *
 * No method rejects: a store that fails becomes a one-line note in the text, or nothing. Operations
 * run one at a time, in the order called.
 */

/** What a delivery needs. */
export interface DeliveryOptions {
  /** The store; a rejection is reported in the session's text. */
  readonly store: () => Promise<HandoffStore>;
  /** The claim's scope and budget (`project`, `session`, `maxLines`, `maxChars`); a rejection is reported too. */
  readonly claimOptions: () => Promise<ConsumeOptions>;
  /** Clock. */
  readonly now: () => Date;
}

/** Where a delivery is. */
export type DeliveryState =
  /** Not claimed yet, or given back before its first message: the first message claims. */
  | 'unclaimed'
  /** Claimed, waiting for the first message. */
  | 'held'
  /** The text went into the first message; waiting for proof it was saved. */
  | 'sent'
  /** Done: acknowledged, or nothing to hand over, or the store failed. */
  | 'done';

interface Held {
  readonly claim: HandoffClaim;
  readonly at: number;
  readonly store: HandoffStore;
}

/** The claim lifecycle of one session; see the module comment. */
export class HandoffDelivery {
  readonly #options: DeliveryOptions;
  #state: DeliveryState = 'unclaimed';
  #held: Held | undefined;
  /** Why the last claim failed. */
  #error: unknown;
  #taken = false;
  #received = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: DeliveryOptions) {
    this.#options = options;
  }

  /** Where it is now. */
  get state(): DeliveryState {
    return this.#state;
  }

  /** How many handoffs this session acknowledged (received and saved). */
  get received(): number {
    return this.#received;
  }

  /** Claims now (`session.created`). Returns once the claim is settled; never rejects. */
  start(): Promise<void> {
    return this.#run(async () => {
      if (this.#state === 'unclaimed' && !this.#taken) await this.#claim();
    });
  }

  /**
   * The text for the session's first message, or `undefined` when there is nothing to add (or on
   * any later call). The caller adds it, then calls `sent`.
   */
  take(): Promise<string | undefined> {
    return this.#run(async () => {
      if (this.#taken) return undefined;
      this.#taken = true;
      const held = this.#held;
      if (held !== undefined && this.#options.now().getTime() - held.at >= held.store.leaseMs / 2) await this.#release();
      // Claim here when the start did not (it failed, or the claim went back): a second chance.
      if (this.#held === undefined) await this.#claim();
      const current = this.#held;
      if (current === undefined) {
        this.#state = 'done';
        return failureNote(this.#error);
      }
      const text = handoffContext(current.claim, current.store);
      if (current.claim.handoffs.length === 0) {
        // Nothing claimed: nothing to acknowledge, and nothing to give back later.
        this.#held = undefined;
        this.#state = 'done';
      }
      return text;
    });
  }

  /** The text from `take` went into the message: wait for proof it was saved. */
  sent(): void {
    if (this.#state === 'held') this.#state = 'sent';
  }

  /** The message with the text was saved: acknowledge (once). */
  confirm(): Promise<void> {
    return this.#run(async () => {
      if (this.#state !== 'sent' || this.#held === undefined) return;
      const { claim } = this.#held;
      this.#held = undefined;
      this.#state = 'done';
      try {
        const { handoffs } = await claim.acknowledge();
        this.#received += handoffs.length;
      } catch {
        // Still claimed: the lease hands them on. The session has them, so this may deliver twice,
        // never lose one.
      }
    });
  }

  /**
   * The session went idle or OpenCode is shutting down: a claim whose text was not added, or not
   * saved, goes back to pending. After it, the first message (if one still comes) claims again.
   */
  settle(): Promise<void> {
    return this.#run(async () => {
      if (this.#held === undefined) return;
      await this.#release();
      this.#state = this.#taken ? 'done' : 'unclaimed';
    });
  }

  async #claim(): Promise<void> {
    try {
      const store = await this.#options.store();
      const claim = await store.claim(await this.#options.claimOptions());
      this.#held = { claim, at: this.#options.now().getTime(), store };
      this.#state = 'held';
    } catch (error) {
      this.#error = error;
    }
  }

  /** Gives the held claim back; a failed release leaves it to its lease (the next session gets it a minute later). */
  async #release(): Promise<void> {
    const held = this.#held!;
    this.#held = undefined;
    await held.claim.release().catch(() => {});
  }

  #run<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(operation, operation);
    this.#queue = next.catch(() => {});
    return next;
  }
}
