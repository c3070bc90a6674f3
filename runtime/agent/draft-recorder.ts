/**
 * Keeps the text of the reply being streamed in the draft store, about once a second, so that a
 * crash loses at most that much of it; the draft goes once the reply is stored. A reply finished
 * within the first second is never written. A failing draft write does not fail the reply.
 */
import type { Draft, DraftStore } from "../store/drafts.js";
import { type Due, DueClock } from "./due-clock.js";
import type { TextPieces } from "./text-pieces.js";

export const draftIntervalMs = 1000;

/** Shared by every recorder (see DueClock); a save is due 0.75 to 1 interval after the text grew. */
const draftClock = new DueClock(100);

export class DraftRecorder implements Due {
  /** The text only grows, so its length says whether it changed; the saved string itself is not kept. */
  private savedLength = 0;
  private saved = false;
  /** Whether a save is due (waiting on the clock). */
  private waiting = false;
  dueAt = 0;
  private writing: Promise<void> = Promise.resolve();
  private done = false;

  constructor(
    private readonly drafts: DraftStore | undefined,
    private readonly where: Pick<Draft, "conversationId" | "branch" | "position" | "model">,
    /**
     * The reply's text as it streams, the same pieces the reply itself is collected in: a copy of
     * every token per reply was one more array growing per stream for the young generation to copy.
     */
    private readonly text: TextPieces,
    private readonly intervalMs = draftIntervalMs,
  ) {}

  /** The text grew: a save is due within the interval. */
  grew(): void {
    if (!this.drafts || this.done || this.waiting) return;
    this.waiting = true;
    this.dueAt = performance.now() + this.intervalMs * (0.75 + Math.random() / 4);
    draftClock.add(this);
  }

  /** @internal for the clock */
  due(): void {
    this.waiting = false;
    void this.write();
  }

  /** The stream ended: a draft already started gets its final text (storing the reply may still wait). */
  async end(): Promise<void> {
    this.stopTimer();
    if (this.saved) await this.write();
  }

  /** The reply is stored (or nothing is to be kept): removes the draft. */
  async discard(): Promise<void> {
    this.stopTimer();
    this.done = true;
    await this.writing;
    if (this.saved) await this.drafts!.take(this.where.conversationId).catch(() => null);
  }

  private stopTimer(): void {
    if (!this.waiting) return;
    this.waiting = false;
    draftClock.delete(this);
  }

  private write(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.done) return;
      const length = this.text.length;
      if (length === this.savedLength) return;
      try {
        await this.drafts!.save({ ...this.where, content: this.text.utf8(), updated: new Date().toISOString() });
        this.savedLength = length;
        this.saved = true;
      } catch {
        // The draft is a safety net; the reply goes on without it.
      }
    });
    return this.writing;
  }
}
