/**
 * One interval timer for many things that each come due now and then (every streaming reply's next
 * draft save): they wait in a set that the interval looks through, and the timer runs only while
 * the set is not empty. A `setTimeout` per reply per second, with its callback, lived about a
 * second: long enough to be copied and promoted by the young-generation collections that pause
 * every stream.
 */
export interface Due {
  /** `performance.now()` at which `due` is called (at most one tick late). */
  dueAt: number;
  due(): void;
}

export class DueClock {
  private readonly waiting = new Set<Due>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly tickMs: number) {}

  add(entry: Due): void {
    this.waiting.add(entry);
    this.timer ??= setInterval(() => this.tick(), this.tickMs);
  }

  delete(entry: Due): void {
    this.waiting.delete(entry);
    if (this.waiting.size === 0) this.stop();
  }

  private tick(): void {
    const now = performance.now();
    for (const entry of this.waiting) {
      if (entry.dueAt > now) continue;
      this.waiting.delete(entry);
      entry.due();
    }
    if (this.waiting.size === 0) this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
