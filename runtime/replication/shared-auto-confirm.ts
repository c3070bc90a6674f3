/**
 * The auto-confirm budget of a conversation (`auto_confirm: N`: the next N tools run without
 * asking) kept in the store, so that whichever replica runs the next step goes on from what the
 * last one left, and one that only sets the budget (a confirm with `auto_confirm` while nothing
 * generates) sets it for all. Writes of one conversation go out one at a time, the latest value
 * last (a tool's decrement may follow another before the first is written).
 */
import type { AutoConfirmBudgetStore } from "../store/shared-replica-state.js";

export class SharedAutoConfirm {
  private readonly writing = new Map<string, { latest: number; done: Promise<void> }>();

  constructor(private readonly store: AutoConfirmBudgetStore) {}

  /** Records the conversation's new budget (in the background; `settled` waits for it). */
  changed(conversationId: string, remaining: number): void {
    const current = this.writing.get(conversationId);
    if (current) {
      current.latest = remaining;
      return;
    }
    const entry = { latest: remaining, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        let written: number | undefined;
        while (written !== entry.latest) {
          written = entry.latest;
          await this.store.set(conversationId, written).catch((error: unknown) => {
            console.error(`could not store the auto-confirm budget of ${conversationId}: ${error instanceof Error ? error.message : String(error)}`);
          });
        }
      } finally {
        // In the same turn as the last check: a change after it starts a new write.
        this.writing.delete(conversationId);
      }
    })();
    this.writing.set(conversationId, entry);
  }

  /** Resolves once this replica's changes of the conversation's budget are stored. */
  async settled(conversationId: string): Promise<void> {
    await this.writing.get(conversationId)?.done;
  }

  /** Resolves once every change made so far is stored. */
  async settledAll(): Promise<void> {
    await Promise.all([...this.writing.values()].map((entry) => entry.done));
  }

  /** The stored budget (after this replica's own changes); null when none was ever set. */
  async load(conversationId: string): Promise<number | null> {
    await this.settled(conversationId);
    return this.store.get(conversationId);
  }
}
