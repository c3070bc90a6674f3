/**
 * Ctrl-C as a key, not a signal. In the terminal's normal (cooked) mode Ctrl-C makes the kernel
 * send SIGINT to every process in the foreground group: not only to gptme but to whatever started
 * it and waits for it (`npx`, whose `sh -c` wrapper dies of it, or a script). gptme caught its
 * SIGINT and went on, yet when the user later left with /exit the wrappers reported the old
 * Ctrl-C (exit 130, and `bash -c 'gptme; echo done'` never reached `echo`).
 *
 * So while the interactive chat is not reading a line, the terminal stays in raw mode and this
 * class reads the keys: Ctrl-C calls `onInterrupt`, Ctrl-Z suspends as the shell would, and
 * anything typed ahead is handed back to the next prompt. The line reader and the editor get the
 * terminal back in its normal state through `paused`/`pausedAsync`.
 */

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_BACKSLASH = 0x1c;
const CTRL_Z = 0x1a;

export interface KeyboardInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  unshift(chunk: Buffer): void;
}

export class InterruptKeys {
  private active = false;
  private pauses = 0;
  private typedAhead: Buffer[] = [];
  private readonly onData = (chunk: Buffer | string) => this.read(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  private readonly restoreOnExit = () => this.setRaw(false);

  constructor(
    private readonly input: KeyboardInput,
    private readonly onInterrupt: () => void,
  ) {}

  /** Only a terminal has keys to read this way; elsewhere every method does nothing. */
  get enabled(): boolean {
    return this.input.isTTY === true && typeof this.input.setRawMode === "function";
  }

  start(): void {
    if (!this.enabled || this.active) return;
    this.active = true;
    process.once("exit", this.restoreOnExit);
    if (this.pauses === 0) this.listen();
  }

  stop(): void {
    if (!this.active) return;
    if (this.pauses === 0) this.unlisten();
    this.active = false;
    process.off("exit", this.restoreOnExit);
  }

  /** Runs `work` (the editor) with the terminal in its normal mode. */
  paused<T>(work: () => T): T {
    this.pause();
    try {
      return work();
    } finally {
      this.resume();
    }
  }

  /** Runs `work` (a question on the prompt line) with the keys left to it. */
  async pausedAsync<T>(work: () => Promise<T>): Promise<T> {
    this.pause();
    try {
      return await work();
    } finally {
      this.resume();
    }
  }

  private pause(): void {
    this.pauses += 1;
    if (this.pauses === 1 && this.active) this.unlisten();
  }

  private resume(): void {
    this.pauses -= 1;
    if (this.pauses === 0 && this.active) this.listen();
  }

  private listen(): void {
    this.setRaw(true);
    this.input.on("data", this.onData);
    this.input.resume();
  }

  /** Leaves the terminal as it was and gives what was typed meanwhile to whoever reads next. */
  private unlisten(): void {
    this.input.off("data", this.onData);
    this.input.pause();
    this.setRaw(false);
    if (this.typedAhead.length > 0) this.input.unshift(Buffer.concat(this.typedAhead.splice(0)));
  }

  private read(chunk: Buffer): void {
    let start = 0;
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index];
      if (byte !== CTRL_C && byte !== CTRL_Z && byte !== CTRL_D && byte !== CTRL_BACKSLASH) continue;
      if (index > start) this.typedAhead.push(chunk.subarray(start, index));
      start = index + 1;
      if (byte === CTRL_C) {
        // As the terminal does on an interrupt: what was typed before it is discarded.
        this.typedAhead = [];
        this.onInterrupt();
      } else if (byte === CTRL_Z) {
        this.suspend();
      }
    }
    if (start < chunk.length) this.typedAhead.push(chunk.subarray(start));
  }

  /** Stops the whole program as Ctrl-Z in a shell would; raw mode comes back on `fg`. */
  private suspend(): void {
    this.setRaw(false);
    process.once("SIGCONT", () => {
      if (this.active && this.pauses === 0) this.setRaw(true);
    });
    process.kill(process.pid, "SIGTSTP");
  }

  private setRaw(mode: boolean): void {
    if (this.enabled) this.input.setRawMode!(mode);
  }
}
