/** One-shot `tmux` invocations, optionally on a private server socket (`tmux -L <name>`). */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";

export interface TmuxResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class TmuxClient {
  /** Tests pass a private socket name so they never touch the user's tmux server. */
  constructor(readonly socketName: string | undefined = process.env.GPTME_TMUX_SOCKET || undefined) {}

  run(args: string[]): Promise<TmuxResult> {
    const fullArgs = this.socketName ? ["-L", this.socketName, ...args] : args;
    return new Promise((resolve) => {
      execFile("tmux", fullArgs, { timeout: 10_000, encoding: "utf8" }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        const reason = error && error.killed ? "tmux timed out" : "";
        resolve({ code, stdout, stderr: stderr || reason || (error && code !== 0 ? error.message : "") });
      });
    });
  }

  /** Like `run`, but a non-zero exit becomes an error naming the tmux command. */
  async check(args: string[]): Promise<TmuxResult> {
    const result = await this.run(args);
    if (result.code !== 0) throw new Error(`tmux ${args.join(" ")} failed: ${result.stderr.trim()}`);
    return result;
  }

  /** Session names; none when no server is running. */
  async sessions(): Promise<string[]> {
    const result = await this.run(["list-sessions", "-F", "#{session_name}"]);
    if (result.code !== 0) return [];
    return result.stdout.split("\n").filter((name) => name !== "");
  }

  /** The pane's whole scrollback, trailing whitespace removed. */
  async capturePane(target: string): Promise<string> {
    const result = await this.run(["capture-pane", "-p", "-S", "-", "-E", "-", "-t", target]);
    return result.stdout.trimEnd();
  }

  /** Ends the server; a private one also loses its socket file, which tmux leaves behind. */
  async killServer(): Promise<void> {
    await this.run(["kill-server"]);
    if (!this.socketName) return;
    const directory = path.join(process.env.TMUX_TMPDIR || "/tmp", `tmux-${process.getuid?.() ?? 0}`);
    await rm(path.join(directory, this.socketName), { force: true });
  }
}
