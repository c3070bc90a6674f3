/** A one-line spinner shown while waiting (for the first token, for a tool); only on a terminal. */

const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class Spinner {
  private timer: NodeJS.Timeout | null = null;
  private frame = 0;
  private label = "";

  constructor(
    private readonly write: (text: string) => void,
    private readonly enabled: boolean,
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  start(label: string): void {
    if (!this.enabled) return;
    this.stop();
    this.label = label;
    this.frame = 0;
    this.draw();
    this.timer = setInterval(() => this.draw(), 80);
    this.timer.unref();
  }

  /** Clears the spinner's line, leaving the cursor at its start. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.write("\r\u001b[2K");
  }

  private draw(): void {
    this.write(`\r\u001b[2K${this.label} ${frames[this.frame % frames.length]}`);
    this.frame += 1;
  }
}
