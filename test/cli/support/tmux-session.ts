/**
 * Drives a program in a real terminal: a tmux server on a private socket, keys sent with
 * send-keys, the screen read with capture-pane, and waits that poll for text with a deadline.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

export function tmuxAvailable(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface TmuxSessionOptions {
  /** Where the launcher script and the exit-code file go. */
  directory: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  command: string[];
}

export class TmuxSession {
  private readonly socket = `gptme-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  private readonly exitFile: string;

  private constructor(private readonly options: TmuxSessionOptions) {
    this.exitFile = join(options.directory, `exit-${this.socket}`);
  }

  static start(options: TmuxSessionOptions): TmuxSession {
    const session = new TmuxSession(options);
    session.launch();
    return session;
  }

  private launch(): void {
    const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
    const exports = Object.entries(this.options.env)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `export ${key}=${quote(value!)}`);
    const script = join(this.options.directory, `launch-${this.socket}.sh`);
    writeFileSync(
      script,
      [...exports, `cd ${quote(this.options.cwd)}`, this.options.command.map(quote).join(" "), `echo $? > ${quote(this.exitFile)}`, "sleep 600", ""].join("\n"),
    );
    this.tmux("new-session", "-d", "-s", "main", "-x", "160", "-y", "50", `env -i TERM=xterm-256color bash ${quote(script)}`);
    this.tmux("set-option", "-t", "main", "history-limit", "5000");
  }

  private tmux(...args: string[]): string {
    return execFileSync("tmux", ["-L", this.socket, ...args], { encoding: "utf8" });
  }

  /** Types text literally (no key names), then presses Enter. */
  typeLine(text: string): void {
    this.tmux("send-keys", "-t", "main", "-l", text);
    this.tmux("send-keys", "-t", "main", "Enter");
  }

  /** Key names as tmux knows them: `C-c`, `Enter`. */
  press(...keys: string[]): void {
    this.tmux("send-keys", "-t", "main", ...keys);
  }

  /** The whole screen and scrollback, without colours. */
  screen(): string {
    return this.tmux("capture-pane", "-p", "-t", "main", "-S", "-", "-E", "-");
  }

  /** Polls the screen until `test` holds; fails with the screen after the deadline. */
  async waitFor(test: string | RegExp | ((screen: string) => boolean), timeoutMs = 60_000): Promise<string> {
    const check = typeof test === "function" ? test : typeof test === "string" ? (screen: string) => screen.includes(test) : (screen: string) => test.test(screen);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (check(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${String(test)}; the screen:\n${screen}`);
      await delay(50);
    }
  }

  /** Counts how often `text` is on the screen. */
  count(text: string): number {
    return this.screen().split(text).length - 1;
  }

  /** The program's exit code once it has ended. */
  async exitCode(timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(this.exitFile) || readFileSync(this.exitFile, "utf8").trim() === "") {
      if (Date.now() > deadline) throw new Error(`The program did not exit; the screen:\n${this.screen()}`);
      await delay(50);
    }
    return Number(readFileSync(this.exitFile, "utf8").trim());
  }

  close(): void {
    try {
      this.tmux("kill-server");
    } catch {
      // already gone
    }
    // tmux leaves the socket file of a killed server behind.
    rmSync(join(process.env.TMUX_TMPDIR ?? "/tmp", `tmux-${process.getuid?.() ?? 0}`, this.socket), { force: true });
  }
}
