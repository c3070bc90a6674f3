/**
 * Ctrl-C while the agent works: aborts the current run (generation or tool) instead of killing the
 * program. Between runs, `onIdle` decides (the non-interactive mode exits with 130). Ctrl-C comes
 * as SIGINT, or as a key when the interactive chat reads the terminal itself (`interrupt-keys.ts`).
 */

export class Interrupts {
  private controller: AbortController | null = null;

  constructor(private readonly onIdle: () => void) {}

  /** What Ctrl-C does, whichever way it arrived. */
  readonly interrupt = (): void => {
    if (this.controller && !this.controller.signal.aborted) this.controller.abort();
    else this.onIdle();
  };

  install(): void {
    process.on("SIGINT", this.interrupt);
  }

  uninstall(): void {
    process.off("SIGINT", this.interrupt);
  }

  /** A signal for one run; Ctrl-C (or `abort()`) aborts it. */
  begin(): AbortSignal {
    this.controller = new AbortController();
    return this.controller.signal;
  }

  abort(): void {
    this.controller?.abort();
  }

  end(): void {
    this.controller = null;
  }
}

/** gptme's `a` / `a N` at a confirmation, and `-y` (unlimited). */
export class AutoConfirm {
  constructor(private remaining = 0) {}

  set(count: number): void {
    this.remaining = count;
  }

  /** Consumes one auto-confirmation if any are left. */
  take(): boolean {
    if (this.remaining <= 0) return false;
    this.remaining -= 1;
    return true;
  }
}
