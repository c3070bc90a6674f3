/**
 * Keeps the text of the reply being streamed in the draft store, about once a second, so that a
 * crash loses at most that much of it; the draft goes once the reply is stored. A reply finished
 * within the first second is never written. A failing draft write does not fail the reply.
 */
import type { Draft, DraftStore } from "../store/drafts.js";
import type { TextPieces } from "./text-pieces.js";

export const draftIntervalMs = 1000;

export class DraftRecorder {
  /** The text only grows, so its length says whether it changed; the saved string itself is not kept. */
  private savedLength = 0;
  private saved = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
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
    if (!this.drafts || this.done) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, this.intervalMs * (0.75 + Math.random() / 4));
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
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private write(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.done) return;
      const length = this.text.length;
      if (length === this.savedLength) return;
      try {
        await this.drafts!.save({ ...this.where, content: this.text.text(), updated: new Date().toISOString() });
        this.savedLength = length;
        this.saved = true;
      } catch {
        // The draft is a safety net; the reply goes on without it.
      }
    });
    return this.writing;
  }
}
