/**
 * One-shot `tmux` client commands, run in the conversation's sandbox: the tmux server they start
 * lives there too (its socket in the sandbox's private /tmp for `bwrap`), with the sandbox's
 * environment, and ends with it. Optionally on a named server socket (`tmux -L <name>`).
 */
import type { Sandbox } from "../sandbox/types.js";

export interface TmuxResult {
  code: number;
  stdout: string;
  stderr: string;
}

const TMUX_TIMEOUT_MILLISECONDS = 10_000;

export class TmuxClient {
  /** Tests pass a private socket name so they never touch the user's tmux server (backend `none`). */
  constructor(
    private readonly sandbox: Sandbox,
    readonly socketName: string | undefined = process.env.GPTME_TMUX_SOCKET || undefined,
  ) {}

  async run(args: string[]): Promise<TmuxResult> {
    const fullArgs = this.socketName ? ["-L", this.socketName, ...args] : args;
    try {
      const result = await this.sandbox.exec(["tmux", ...fullArgs], { timeoutMilliseconds: TMUX_TIMEOUT_MILLISECONDS });
      const stderr = result.stderr.toString("utf8");
      const code = result.code ?? 1;
      return { code, stdout: result.stdout.toString("utf8"), stderr: stderr || (result.timedOut ? "tmux timed out" : code !== 0 ? `tmux exited with ${code}` : "") };
    } catch (error) {
      return { code: 1, stdout: "", stderr: (error as Error).message };
    }
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

  /** Ends the server; a named one also loses its socket file, which tmux leaves behind. */
  async killServer(): Promise<void> {
    await this.run(["kill-server"]);
    if (!this.socketName) return;
    await this.sandbox.exec(["sh", "-c", 'rm -f -- "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$1"', "sh", this.socketName]).catch(() => {});
  }
}
