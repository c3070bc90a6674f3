/**
 * What replicas share through the store besides leases and session ids: the bodies of forwarded
 * requests too large for one NATS message, and each conversation's auto-confirm budget (so the
 * next step, on whichever replica, goes on from what the last one left).
 */

export interface ForwardedBodyStore {
  /** Keeps a body for the replica it is forwarded to; returns its id. */
  put(body: Uint8Array): Promise<string>;
  /** The body, or null when it is gone. */
  get(id: string): Promise<Buffer | null>;
  remove(id: string): Promise<void>;
  /** Removes bodies kept since before `before` (epoch seconds: their readers gave up); returns how many. */
  removeOlderThan(before: number): Promise<number>;
}

export interface AutoConfirmBudgetStore {
  /** Tools left to run without asking (Infinity: all); null when none was ever set. */
  get(conversationId: string): Promise<number | null>;
  /** Records the budget; a conversation that is gone is ignored. */
  set(conversationId: string, remaining: number): Promise<void>;
}
