/** A sandbox process backed by a local child process, and `exec` built on any backend's `spawn`. */
import type { ChildProcess } from "node:child_process";
import type { ExecOptions, ExecResult, ProcessExit, SandboxProcess, SpawnOptions } from "./types.js";

/** Signals a process group; false when no member is left (or it is not ours to signal). */
export function signalGroup(processGroup: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-processGroup, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * A process group's number is pinned while any member lives, but once the group is empty it may
 * be reused by an unrelated process (pid_max can be as low as 32768). So a group is signalled only
 * while its leader is running or briefly after (to reach children that outlived it during a kill),
 * never from a stale record.
 */
const GROUP_SIGNAL_WINDOW_MILLISECONDS = 5000;

/**
 * Wraps `child`. `processGroup` resolves to the group to signal: the child's own pid when it was
 * started detached, or (for bubblewrap) the pid of the command inside, which leads its own session.
 * Until it is known, signals go to the child alone.
 */
export function localProcess(child: ChildProcess, processGroup: Promise<number | undefined>): SandboxProcess {
  let group: number | undefined;
  let exitedAt: number | undefined;
  void processGroup.then((pid) => (group = pid));
  const exited = new Promise<ProcessExit>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  void exited.then(() => (exitedAt = Date.now()));
  child.stdin?.on("error", () => {});
  return {
    stdin: child.stdin!,
    stdout: child.stdout!,
    stderr: child.stderr!,
    exited,
    async kill(signal) {
      const target = group ?? (await Promise.race([processGroup, exited.then(() => undefined)]));
      const recent = exitedAt === undefined || Date.now() - exitedAt < GROUP_SIGNAL_WINDOW_MILLISECONDS;
      if (target !== undefined && recent && signalGroup(target, signal)) return true;
      if (exitedAt !== undefined || child.pid === undefined) return false;
      try {
        process.kill(child.pid, signal);
        return true;
      } catch {
        return false;
      }
    },
    setReferenced(referenced) {
      const handles = [child, child.stdin, child.stdout, child.stderr] as Array<{ ref?: () => void; unref?: () => void } | null>;
      for (const handle of handles) (referenced ? handle?.ref : handle?.unref)?.call(handle);
    },
  };
}

const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** `exec` for any backend: spawn, feed stdin, collect both streams (capped), kill the group on timeout. */
export async function execBySpawning(
  spawn: (argv: string[], options: SpawnOptions) => Promise<SandboxProcess>,
  argv: string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const child = await spawn(argv, { cwd: options.cwd, env: options.env });
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  let stopped = false;
  let timedOut = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    void child.kill("SIGKILL");
  };
  const collect = (stream: NodeJS.ReadableStream) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      if (size > maxBytes) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size > maxBytes) stop();
    });
    return new Promise<Buffer>((resolve) => {
      stream.once("end", () => resolve(Buffer.concat(chunks).subarray(0, maxBytes)));
      stream.once("error", () => resolve(Buffer.concat(chunks).subarray(0, maxBytes)));
    });
  };
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const timer = options.timeoutMilliseconds
    ? setTimeout(() => {
        timedOut = true;
        stop();
      }, options.timeoutMilliseconds)
    : undefined;
  const onAbort = () => stop();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) stop();
  child.stdin.end(options.input ?? "");
  try {
    const [exit, out, err] = await Promise.all([child.exited, stdout, stderr]);
    return { code: stopped ? null : exit.code, stdout: out, stderr: err, timedOut };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}
