/**
 * One long-lived bash in the conversation's sandbox, whose cwd and environment persist between
 * commands.
 *
 * Protocol (stdio only, so any sandbox backend can carry it): bash reads a fixed one-line driver
 * from its stdin, then the command text up to a NUL byte (`read -d ''`; bash reads a pipe byte by
 * byte, so it never swallows the next request). The command runs via `eval` with stdin from
 * /dev/null and stdout and stderr redirected to two fresh files in the sandbox's output area, so
 * nothing it prints reaches bash's own stdout. After it, the driver writes one control record to
 * bash's stdout: `\0<nonce> <$?> <$PWD>\0`, where the nonce is random per command. A command can
 * still reach bash's stdout (bash keeps it on a saved descriptor while the redirection lasts), but
 * it cannot guess the nonce, so output that imitates a record is ignored: stdout, stderr and the
 * exit code are always told apart, and no text a command prints can fake a completion.
 */
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import type { Sandbox, SandboxProcess } from "../sandbox/types.js";
import { OutputFollower, type OutputListener } from "./output-follower.js";
import { outputStamp } from "./output-storage.js";

/** What gptme exports in its shell so pagers and editors never block a command. */
const SHELL_ENVIRONMENT: Record<string, string> = {
  PAGER: "",
  GH_PAGER: "",
  GIT_PAGER: "cat",
  EDITOR: "true",
  GIT_EDITOR: "true",
  VISUAL: "true",
  PYTHONUNBUFFERED: "1",
};

export interface ShellRunOptions {
  /** 0 or undefined: no timeout. */
  timeoutMilliseconds?: number;
  signal?: AbortSignal;
  onOutput?: OutputListener;
  /** Partial output streamed per stream before a note says the rest comes with the result. */
  streamLimitBytes?: number;
  /** Between SIGTERM and SIGKILL when a command is stopped. */
  killGraceMilliseconds?: number;
  /** Output beyond this many bytes per stream stops the command, and its file is cut there. */
  maxOutputBytes?: number;
}

/** A command's output, left in the sandbox's output area for the caller to read and remove. */
export interface ShellOutputFile {
  name: string;
  /** Bytes (at most `maxOutputBytes`). */
  size: number;
}

export interface ShellRunResult {
  stdout: ShellOutputFile;
  stderr: ShellOutputFile;
  /** `$?`, or bash's own exit code when the command ended the shell (`exit 3`); null if killed. */
  exitCode: number | null;
  timedOut: boolean;
  interrupted: boolean;
  /** The output limit was hit: the command was stopped and its output file cut at the limit. */
  outputLimitExceeded: boolean;
  /** bash is gone (killed, or the command exited it); the next command needs a new shell. */
  shellEnded: boolean;
}

type StopReason = "timeout" | "abort" | "output";

interface Report {
  exitCode: number | null;
  shellEnded: boolean;
}

const POLL_MILLISECONDS = 200;
/** Each stream's saved output stops here (and the command with it): disks can be small. */
export const DEFAULT_MAX_OUTPUT_BYTES = 100 * 1024 * 1024;
/** Kept of bash's stdout while looking for a record: more than any record (PWD is at most 4 KB). */
const CONTROL_BUFFER_BYTES = 16 * 1024;

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export class ShellSession {
  /** The directory bash was in after the last command (where a replacement shell starts). */
  currentDirectory: string;
  private controlBuffer = "";
  private waiting?: { nonce: string; settle: (report: Report) => void };
  private exited = false;
  private readonly exitedPromise: Promise<void>;
  private stderrTail = "";

  private constructor(
    private readonly sandbox: Sandbox,
    private readonly process: SandboxProcess,
    directory: string,
  ) {
    this.currentDirectory = directory;
    this.exitedPromise = process.exited.then(() => {
      this.exited = true;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.settle({ exitCode: null, shellEnded: true });
    });
    process.stdout.setEncoding("utf8");
    process.stdout.on("data", (chunk: string) => this.onControl(chunk));
    // bash's own complaints (and the sandbox's, if it could not start): kept for the error message.
    (process.stderr as Readable).on("data", (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-2000)));
    process.setReferenced(false);
  }

  /** Starts bash in `directory` (an inside path) in the sandbox. */
  static async start(sandbox: Sandbox, directory: string): Promise<ShellSession> {
    // No rc files, as gptme's shell (explicit: a bash run with -c on a socket stdin, as Node's pipes are, reads ~/.bashrc).
    const process = await sandbox.spawn(["bash", "--norc", "--noprofile"], { cwd: directory, env: SHELL_ENVIRONMENT });
    const session = new ShellSession(sandbox, process, directory);
    // One record before the first command: bash is up, or we say why not (e.g. the sandbox failed).
    const nonce = randomBytes(16).toString("hex");
    const ready = new Promise<Report>((resolve) => (session.waiting = { nonce, settle: resolve }));
    process.setReferenced(true);
    process.stdin.write(`builtin printf '\\0%s 0 %s\\0' ${nonce} "$PWD"\n`);
    const { shellEnded } = await ready;
    process.setReferenced(false);
    if (shellEnded) {
      await Promise.race([new Promise((resolve) => process.stderr.once("close", resolve)), delay(1000)]);
      throw new Error(`Cannot start the shell${session.diagnostics ? `: ${session.diagnostics}` : ""}`);
    }
    return session;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** What bash (or the sandbox) last wrote on stderr: why a shell that died at once failed. */
  get diagnostics(): string {
    return this.stderrTail.trim();
  }

  private onControl(chunk: string): void {
    this.controlBuffer += chunk;
    const waiting = this.waiting;
    if (waiting) {
      const start = this.controlBuffer.indexOf(`\0${waiting.nonce} `);
      const end = start >= 0 ? this.controlBuffer.indexOf("\0", start + 1) : -1;
      if (end >= 0) {
        const match = /^(\d+) ([\s\S]*)$/.exec(this.controlBuffer.slice(start + waiting.nonce.length + 2, end));
        this.controlBuffer = this.controlBuffer.slice(end + 1);
        if (match) {
          this.currentDirectory = match[2]!;
          this.waiting = undefined;
          waiting.settle({ exitCode: Number(match[1]), shellEnded: false });
          return;
        }
      }
    }
    if (this.controlBuffer.length > CONTROL_BUFFER_BYTES) this.controlBuffer = this.controlBuffer.slice(-CONTROL_BUFFER_BYTES / 2);
  }

  /** Runs one command; callers serialize commands (see shell-sessions.ts). */
  async run(command: string, options: ShellRunOptions = {}): Promise<ShellRunResult> {
    if (this.exited) throw new Error("The shell has exited");
    const nonce = randomBytes(16).toString("hex");
    const base = `shell-${outputStamp()}-${nonce.slice(0, 8)}`;
    const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const area = this.sandbox.outputs;
    const stdout = new OutputFollower(area, `${base}-stdout.txt`, "stdout", options.onOutput, options.streamLimitBytes);
    const stderr = new OutputFollower(area, `${base}-stderr.txt`, "stderr", options.onOutput, options.streamLimitBytes);
    const report = this.send(nonce, command, area.path(stdout.name), area.path(stderr.name));
    const watch = this.watch(nonce, [stdout, stderr], maxBytes, options);
    let outcome: Report;
    try {
      outcome = await report;
    } finally {
      this.waiting = undefined;
      this.process.setReferenced(false);
      await watch.end();
    }
    const stopReason = watch.stopReason();
    const files: ShellOutputFile[] = [];
    for (const follower of [stdout, stderr]) {
      const size = await follower.follow();
      if (size > maxBytes) await area.truncate(follower.name, maxBytes);
      files.push({ name: follower.name, size: Math.min(size, maxBytes) });
    }
    return {
      stdout: files[0]!,
      stderr: files[1]!,
      exitCode: stopReason ? null : (outcome.exitCode ?? (outcome.shellEnded ? await this.exitCode() : null)),
      timedOut: stopReason === "timeout",
      interrupted: stopReason === "abort",
      outputLimitExceeded: stopReason === "output",
      shellEnded: outcome.shellEnded,
    };
  }

  /** bash's exit status once it has ended (`exit 4` ends the shell with 4). */
  private async exitCode(): Promise<number | null> {
    const exit = await this.process.exited;
    return exit.code;
  }

  /** Hands bash the driver line and the command; resolves with the command's report. */
  private send(nonce: string, command: string, stdoutFile: string, stderrFile: string): Promise<Report> {
    const driver =
      `IFS= builtin read -r -d '' __gptme_command; ` +
      `{ builtin eval "$__gptme_command"; } >${shellQuote(stdoutFile)} 2>${shellQuote(stderrFile)} </dev/null; ` +
      `builtin printf '\\0%s %s %s\\0' ${nonce} "$?" "$PWD"; builtin unset __gptme_command\n`;
    const report = new Promise<Report>((resolve) => (this.waiting = { nonce, settle: resolve }));
    this.process.setReferenced(true);
    this.process.stdin.write(driver + command.replaceAll("\0", "") + "\0");
    return report;
  }

  /** Stops the command on timeout, abort or runaway output, and streams its output meanwhile. */
  private watch(nonce: string, outputs: OutputFollower[], maxBytes: number, options: ShellRunOptions) {
    let reason: StopReason | undefined;
    const stop = (why: StopReason) => {
      if (reason || this.waiting?.nonce !== nonce) return;
      reason = why;
      void this.kill(options.killGraceMilliseconds ?? 500);
    };
    const timer = options.timeoutMilliseconds ? setTimeout(() => stop("timeout"), options.timeoutMilliseconds) : undefined;
    const onAbort = () => stop("abort");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    let poll: Promise<void> | undefined;
    const checkOutput = async () => {
      for (const output of outputs) if ((await output.follow()) > maxBytes) stop("output");
    };
    const poller = setInterval(() => (poll ??= checkOutput().finally(() => (poll = undefined))), POLL_MILLISECONDS);
    return {
      stopReason: () => reason,
      async end() {
        clearTimeout(timer);
        clearInterval(poller);
        options.signal?.removeEventListener("abort", onAbort);
        await poll;
      },
    };
  }

  /** Stops bash and everything it started (its whole process group): TERM, then KILL after the grace. */
  async kill(graceMilliseconds = 500): Promise<void> {
    let alive = await this.process.kill("SIGTERM");
    const deadline = Date.now() + graceMilliseconds;
    while (alive && Date.now() < deadline && (alive = await this.process.kill(0))) await delay(25);
    // An emptied group's number can be reused at once: no final signal unless something is left.
    if (alive) await this.process.kill("SIGKILL");
    await Promise.race([this.exitedPromise, delay(2000)]);
  }

  async close(): Promise<void> {
    if (!this.exited) await this.kill(200);
  }
}
