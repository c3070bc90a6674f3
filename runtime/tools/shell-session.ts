/**
 * One long-lived bash process whose cwd and environment persist between commands.
 *
 * Protocol: bash reads a fixed one-line driver from its stdin, then the command text up to a NUL
 * byte (`read -d ''`; bash reads a pipe byte by byte, so it never swallows the next request). The
 * command runs via `eval` with stdin from /dev/null, stdout and stderr redirected to two fresh files
 * and fd 3 closed. Only the driver writes to fd 3, the control channel, and it reports `$?` and
 * `$PWD` there after the command. Command output never touches the channel, so no text a command
 * prints can fake a completion, and stdout, stderr and the exit code are always told apart.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { OutputFollower, type OutputListener } from "./output-follower.js";

/** What gptme exports in its shell so pagers and editors never block a command. */
/** The agent's commands must not read the server's own credential (the model could print it). */
const hiddenVariables = ["GPTME_SERVER_TOKEN"];

function shellEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, ...SHELL_ENVIRONMENT };
  for (const name of hiddenVariables) delete environment[name];
  return environment;
}

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
  /** Between SIGTERM and SIGKILL when a command is stopped. */
  killGraceMilliseconds?: number;
  /** Output beyond this many bytes per stream stops the command (a runaway `yes` would fill the disk). */
  maxOutputBytes?: number;
}

export interface ShellRunResult {
  stdout: string;
  stderr: string;
  /** `$?`, or bash's own exit code when the command ended the shell (`exit 3`); null if killed. */
  exitCode: number | null;
  timedOut: boolean;
  interrupted: boolean;
  /** The output limit was hit; the command was stopped and the excess dropped. */
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
const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export class ShellSession {
  /** The directory bash was in after the last command (where a replacement shell starts). */
  currentDirectory: string;
  private readonly child: ChildProcess;
  private readonly temporaryDirectory: string;
  private counter = 0;
  private controlBuffer = "";
  private waiting?: { id: number; settle: (report: Report) => void };
  private exited = false;
  private readonly exitedPromise: Promise<void>;

  constructor(directory: string) {
    this.currentDirectory = directory;
    this.temporaryDirectory = mkdtempSync(path.join(os.tmpdir(), "gptme-shell-"));
    this.child = spawn("bash", [], {
      cwd: directory,
      env: shellEnvironment(),
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      detached: true,
    });
    this.exitedPromise = new Promise((resolve) => {
      const finish = () => {
        if (this.exited) return;
        this.exited = true;
        const waiting = this.waiting;
        this.waiting = undefined;
        waiting?.settle({ exitCode: this.child.exitCode, shellEnded: true });
        resolve();
      };
      this.child.once("exit", finish);
      this.child.once("error", finish);
    });
    // bash writes nothing of its own here in normal operation; drain so it can never block on a full pipe.
    this.child.stdout?.resume();
    this.child.stderr?.resume();
    this.child.stdin?.on("error", () => {});
    const control = this.child.stdio[3] as Readable;
    control.setEncoding("utf8");
    control.on("data", (chunk: string) => this.onControl(chunk));
    this.setReferenced(false);
  }

  get alive(): boolean {
    return !this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private onControl(chunk: string): void {
    this.controlBuffer += chunk;
    let end: number;
    while ((end = this.controlBuffer.indexOf("\0")) >= 0) {
      const record = this.controlBuffer.slice(0, end);
      this.controlBuffer = this.controlBuffer.slice(end + 1);
      const match = /^done (\d+) (\d+) ([\s\S]*)$/.exec(record);
      if (!match || Number(match[1]) !== this.waiting?.id) continue;
      this.currentDirectory = match[3];
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting.settle({ exitCode: Number(match[2]), shellEnded: false });
    }
  }

  /** An idle shell must not keep the Node process alive; a running command must. */
  private setReferenced(referenced: boolean): void {
    const handles = [this.child, ...this.child.stdio] as Array<{ ref?: () => void; unref?: () => void } | null>;
    for (const handle of handles) (referenced ? handle?.ref : handle?.unref)?.call(handle);
  }

  /** Runs one command; callers serialize commands (see shell-sessions.ts). */
  async run(command: string, options: ShellRunOptions = {}): Promise<ShellRunResult> {
    if (this.exited) throw new Error("The shell has exited");
    const id = ++this.counter;
    const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const stdout = new OutputFollower(path.join(this.temporaryDirectory, `${id}.out`), "stdout", options.onOutput);
    const stderr = new OutputFollower(path.join(this.temporaryDirectory, `${id}.err`), "stderr", options.onOutput);
    const report = this.send(id, command, stdout.file, stderr.file);
    const watch = this.watch(id, [stdout, stderr], maxBytes, options);
    let outcome: Report;
    try {
      outcome = await report;
    } finally {
      this.waiting = undefined;
      this.setReferenced(false);
      await watch.end();
    }
    const stopReason = watch.stopReason();
    return {
      stdout: await stdout.finish(maxBytes),
      stderr: await stderr.finish(maxBytes),
      exitCode: stopReason ? null : outcome.exitCode,
      timedOut: stopReason === "timeout",
      interrupted: stopReason === "abort",
      outputLimitExceeded: stopReason === "output",
      shellEnded: outcome.shellEnded,
    };
  }

  /** Hands bash the driver line and the command; resolves with the command's report. */
  private send(id: number, command: string, stdoutFile: string, stderrFile: string): Promise<Report> {
    const driver =
      `IFS= builtin read -r -d '' __gptme_command; ` +
      `{ builtin eval "$__gptme_command"; } >${shellQuote(stdoutFile)} 2>${shellQuote(stderrFile)} </dev/null 3>&-; ` +
      `builtin printf 'done ${id} %s %s\\0' "$?" "$PWD" >&3; builtin unset __gptme_command\n`;
    const report = new Promise<Report>((resolve) => (this.waiting = { id, settle: resolve }));
    this.setReferenced(true);
    (this.child.stdin as Writable).write(driver + command.replaceAll("\0", "") + "\0");
    return report;
  }

  /** Stops the command on timeout, abort or runaway output, and streams its output meanwhile. */
  private watch(id: number, outputs: OutputFollower[], maxBytes: number, options: ShellRunOptions) {
    let reason: StopReason | undefined;
    const stop = (why: StopReason) => {
      if (reason || this.waiting?.id !== id) return;
      reason = why;
      void this.kill(options.killGraceMilliseconds ?? 500);
    };
    const timer = options.timeoutMilliseconds ? setTimeout(() => stop("timeout"), options.timeoutMilliseconds) : undefined;
    const onAbort = () => stop("abort");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    let poll: Promise<void> | undefined;
    const checkOutput = async () => {
      for (const output of outputs) if ((await output.follow(maxBytes)) > maxBytes) stop("output");
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
    const pid = this.child.pid;
    if (pid === undefined) return;
    const signalGroup = (signal: NodeJS.Signals | 0): boolean => {
      try {
        process.kill(-pid, signal);
        return true;
      } catch {
        return false;
      }
    };
    signalGroup("SIGTERM");
    const deadline = Date.now() + graceMilliseconds;
    while (Date.now() < deadline && signalGroup(0)) await delay(25);
    signalGroup("SIGKILL");
    await Promise.race([this.exitedPromise, delay(2000)]);
  }

  async close(): Promise<void> {
    if (!this.exited) await this.kill(200);
    rmSync(this.temporaryDirectory, { recursive: true, force: true });
  }

  /** For process exit, when nothing asynchronous can run any more. */
  closeNow(): void {
    if (!this.exited && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    rmSync(this.temporaryDirectory, { recursive: true, force: true });
  }
}
