/**
 * A timeout that can be paused (while the user answers a server's question) and restarted (when
 * the server reports progress); its signal aborts when it expires.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private pauses = 0;
  private disposed = false;

  constructor(private readonly milliseconds: number) {
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  /** Starts the full time again. */
  restart(): void {
    if (this.pauses === 0) this.arm();
  }

  pause(): void {
    this.pauses++;
    this.clear();
  }

  /** After the last pause ends, the full time starts again. */
  resume(): void {
    this.pauses = Math.max(0, this.pauses - 1);
    if (this.pauses === 0) this.arm();
  }

  dispose(): void {
    this.disposed = true;
    this.clear();
  }

  private arm(): void {
    this.clear();
    if (this.disposed || this.expired) return;
    this.timer = setTimeout(() => this.controller.abort(new Error(`timed out after ${this.milliseconds} ms`)), this.milliseconds);
    this.timer.unref();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
