/**
 * `container`: each conversation's processes in a container of their own, through the Docker
 * Engine API (Docker, or Podman's compatible service), made at first use and removed with the
 * sandbox.
 *
 * The container's PID 1 is a bash loop that only sleeps: bash reaps every orphan (its SIGCHLD
 * handler waits for any child), and PID 1 cannot be killed from inside its own PID namespace, so
 * `kill -9 -1` ends the conversation's processes but not its container. Every tool process is a
 * `docker exec` over a hijacked connection (stdin, stdout and stderr multiplexed) that leads a
 * process group of its own (see GROUP_LEADER): its first stderr line is that group's id, which
 * `kill` signals with another exec (an exec has no kill of its own in the API).
 *
 * The workspace is bind-mounted at its own path for an engine on this host, or is a named volume
 * at that path for a remote one (its files then live on the engine's host). HOME is a tmpfs; `/tmp`
 * is the container's own. Limits (memory, pids, CPUs) and the network mode are the engine's.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { PassThrough, type Readable, type Writable } from "node:stream";
import type Docker from "dockerode";
import { ExecFiles } from "./exec-files.js";
import { ExecOutputArea } from "./exec-output-area.js";
import { HostOutputArea } from "./host-output-area.js";
import { execBySpawning } from "./local-process.js";
import { createPrivateDirectories, OUTPUT_DIRECTORY } from "./local-sandbox.js";
import type { SandboxNetwork } from "./report.js";
import type { ExecOptions, ExecResult, OutputArea, ProcessExit, Sandbox, SandboxFiles, SandboxProcess, SpawnOptions } from "./types.js";

export interface ContainerSandboxOptions {
  docker: Docker;
  conversationId: string;
  workspace: string;
  image: string;
  /** The allowlisted environment without PATH, HOME, USER and SHELL (the image's own are used). */
  environment: Record<string, string>;
  network: SandboxNetwork;
  /** `[sandbox] container_network`: the engine's network for `on` (default: the engine's default). */
  networkName?: string;
  limits: { pids: number; memoryBytes: number; cpus?: number };
  /** `uid:gid` the processes run as (the server's, so workspace files keep their owner). */
  user: string;
  /** Podman without root: map the server's uid to itself inside (`keep-id`). */
  keepUserId: boolean;
  /** Remote engine: the workspace is a named volume, the output area goes through exec. */
  remote: boolean;
  /** The conversation's uploads, bind-mounted read-only at their path (local engines). */
  attachments?: string;
  /** Parent of the sandbox's private directory on the host (its output area, local engines). */
  directory: string;
  /** Labels every container of this server carries (to find them again after a crash). */
  labels: Record<string, string>;
}

export const CONTAINER_HOME = "/home/gptme";

/** bash, not sh: dash reaps only the jobs it knows. */
const HOLDER = `trap 'exit 0' TERM; mkdir -p ${OUTPUT_DIRECTORY} 2>/dev/null; while :; do sleep 3600 & wait $!; done`;

/**
 * Makes the command lead a process group without an intermediate process, prints that group's id
 * on stderr, then runs the command. An exec that already leads its group (podman's do) keeps it;
 * otherwise `setsid` makes a session in place (it forks only for a group leader). A forking
 * `setsid -w` would leave a parent that `kill -9 -1` inside can kill, ending the exec while the
 * command still runs.
 */
const GROUP_LEADER = `if [ "$(cut -d' ' -f5 /proc/$$/stat)" != "$$" ]; then exec setsid sh -c 'printf "%s\\n" "$$" >&2; exec "$@"' sh "$@"; fi
printf '%s\\n' "$$" >&2; exec "$@"`;

const GROUP_SIGNAL_WINDOW_MILLISECONDS = 5000;

/** Splits off the first line of `source` (the group id) and passes the rest on. */
function firstLineAndRest(source: Readable): { first: Promise<number | undefined>; rest: Readable } {
  const rest = new PassThrough();
  let resolveFirst!: (value: number | undefined) => void;
  const first = new Promise<number | undefined>((resolve) => (resolveFirst = resolve));
  let head = "";
  let done = false;
  source.on("data", (chunk: Buffer) => {
    if (done) return void rest.write(chunk);
    head += chunk.toString("latin1");
    const newline = head.indexOf("\n");
    if (newline < 0) return;
    done = true;
    resolveFirst(Number(head.slice(0, newline)) || undefined);
    const remainder = Buffer.from(head.slice(newline + 1), "latin1");
    if (remainder.length > 0) rest.write(remainder);
  });
  source.once("end", () => {
    if (!done) resolveFirst(undefined);
    rest.end();
  });
  return { first, rest };
}

export class ContainerSandbox implements Sandbox {
  readonly backend = "container" as const;
  readonly home = CONTAINER_HOME;
  readonly files: SandboxFiles;
  readonly outputs: OutputArea;
  disposed = false;
  lastUsed = Date.now();
  private holds = 0;
  private container?: Promise<Docker.Container>;
  private failure?: Error;
  private readonly root?: string;
  private readonly hostOutputs?: string;

  constructor(private readonly options: ContainerSandboxOptions) {
    this.files = new ExecFiles((argv, execOptions) => this.exec(argv, execOptions));
    if (options.remote) {
      this.outputs = new ExecOutputArea((argv, execOptions) => this.exec(argv, execOptions), OUTPUT_DIRECTORY);
    } else {
      const paths = createPrivateDirectories(options.directory, options.conversationId);
      this.root = paths.root;
      this.hostOutputs = paths.outputs;
      this.outputs = new HostOutputArea(paths.outputs, OUTPUT_DIRECTORY);
    }
  }

  get conversationId(): string {
    return this.options.conversationId;
  }

  get workspace(): string {
    return this.options.workspace;
  }

  get busy(): boolean {
    return this.holds > 0;
  }

  /** Set once the container is gone or stopped; the manager then makes a new sandbox. */
  get broken(): boolean {
    return this.failure !== undefined;
  }

  hold(): () => void {
    this.holds++;
    this.lastUsed = Date.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.lastUsed = Date.now();
    };
  }

  /** The id the containers of this sandbox are named after (for `docker ps`). */
  private get name(): string {
    const safe = this.options.conversationId.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 40);
    return `gptme-${safe}-${randomBytes(4).toString("hex")}`;
  }

  private mounts(): { Binds?: string[]; Mounts?: Docker.MountConfig } {
    const { workspace, remote, attachments } = this.options;
    if (remote) {
      const volume = `gptme-workspace-${this.options.conversationId.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 60)}`;
      return { Mounts: [{ Type: "volume", Source: volume, Target: workspace }] };
    }
    const binds = [`${workspace}:${workspace}`, `${this.hostOutputs}:${OUTPUT_DIRECTORY}`];
    if (attachments) binds.push(`${attachments}:${attachments}:ro`);
    return { Binds: binds };
  }

  private startContainer(): Promise<Docker.Container> {
    return (this.container ??= (async () => {
      const { docker, limits, network, networkName } = this.options;
      const container: Docker.Container = await docker.createContainer({
        name: this.name,
        Image: this.options.image,
        Entrypoint: ["bash", "-c", HOLDER],
        Cmd: [],
        User: this.options.user,
        WorkingDir: "/",
        Env: [`HOME=${CONTAINER_HOME}`],
        Labels: { ...this.options.labels, "gptme.conversation": this.options.conversationId },
        HostConfig: {
          ...this.mounts(),
          Tmpfs: { [CONTAINER_HOME]: "rw,exec,mode=1777" },
          NetworkMode: network === "none" ? "none" : networkName,
          Memory: limits.memoryBytes,
          MemorySwap: limits.memoryBytes,
          PidsLimit: limits.pids,
          NanoCpus: limits.cpus ? Math.round(limits.cpus * 1e9) : undefined,
          CapDrop: ["ALL"],
          SecurityOpt: ["no-new-privileges"],
          ...(this.options.keepUserId ? { UsernsMode: "keep-id" } : {}),
        },
      });
      this.createdId = container.id;
      try {
        await container.start();
      } catch (error) {
        await container.remove({ force: true }).catch(() => {});
        throw error;
      }
      if (this.disposed) await container.remove({ force: true }).catch(() => {});
      return container;
    })());
  }

  private async running(): Promise<Docker.Container> {
    if (this.disposed) throw new Error("The conversation's sandbox was removed");
    if (this.failure) throw this.failure;
    try {
      return await this.startContainer();
    } catch (error) {
      this.failure ??= new Error(`Cannot start the conversation's container: ${(error as Error).message}`);
      throw this.failure;
    }
  }

  /** One exec with its streams; `leader` wraps the command so its group id comes first on stderr. */
  private async start(argv: string[], cwd: string, env: Record<string, string>) {
    const container = await this.running();
    let exec: Docker.Exec;
    let stream: NodeJS.ReadWriteStream & { ref?: () => void; unref?: () => void; destroy?: () => void };
    try {
      exec = await container.exec({
        Cmd: ["sh", "-c", GROUP_LEADER, "sh", ...argv],
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        Env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
        WorkingDir: cwd,
      });
      stream = (await exec.start({ hijack: true, stdin: true })) as typeof stream;
    } catch (error) {
      // The container stopped or was removed behind our back: this sandbox is done.
      const inspect = await container.inspect().catch(() => undefined);
      if (!inspect?.State?.Running) this.failure ??= new Error(`The conversation's container is gone: ${(error as Error).message}`);
      throw error;
    }
    return { exec, stream };
  }

  async spawn(argv: string[], options: SpawnOptions = {}): Promise<SandboxProcess> {
    if (argv.length === 0) throw new Error("spawn: empty argv");
    this.lastUsed = Date.now();
    const env = { ...this.options.environment, HOME: CONTAINER_HOME, ...options.env };
    const { exec, stream } = await this.start(argv, options.cwd ?? this.workspace, env);
    const stdout = new PassThrough();
    const stderrWithLeader = new PassThrough();
    this.options.docker.modem.demuxStream(stream, stdout, stderrWithLeader);
    const { first: group, rest: stderr } = firstLineAndRest(stderrWithLeader);
    let exitedAt: number | undefined;
    let signalled: NodeJS.Signals | undefined;
    const ended = new Promise<void>((resolve) => {
      stream.once("end", resolve);
      stream.once("close", resolve);
      stream.once("error", resolve);
    });
    const exited = ended.then(async (): Promise<ProcessExit> => {
      stdout.end();
      stderrWithLeader.end();
      exitedAt = Date.now();
      let code: number | null = null;
      for (let attempt = 0; attempt < 40; attempt++) {
        const inspect = await exec.inspect().catch(() => undefined);
        if (!inspect) break;
        if (!inspect.Running) {
          code = inspect.ExitCode ?? null;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // A shell reports 128 + the signal's number; some wrappers pass the number itself on.
      const number = signalled ? osConstants.signals[signalled] : undefined;
      if (code !== null && number !== undefined && (code === number || code === 128 + number)) return { code: null, signal: signalled! };
      return { code, signal: null };
    });
    const signalGroup = async (signal: NodeJS.Signals | 0): Promise<boolean> => {
      const target = await Promise.race([group, exited.then(() => undefined)]);
      if (target === undefined) return false;
      if (exitedAt !== undefined && Date.now() - exitedAt > GROUP_SIGNAL_WINDOW_MILLISECONDS) return false;
      const flag = signal === 0 ? "-0" : `-${signal.replace(/^SIG/, "")}`;
      // Noted before sending: the command may end (and its exit be read) before the kill exec returns.
      const previous = signalled;
      if (signal !== 0) signalled = signal;
      const result = await this.rawExec(["bash", "-c", 'kill "$1" -- "-$2" 2>/dev/null', "bash", flag, String(target)]).catch(() => undefined);
      if (result?.code !== 0 && exitedAt === undefined) signalled = previous;
      return result?.code === 0;
    };
    stream.on?.("error", () => {});
    return {
      stdin: stream as unknown as Writable,
      stdout,
      stderr,
      exited,
      kill: signalGroup,
      setReferenced(referenced) {
        (referenced ? stream.ref : stream.unref)?.call(stream);
      },
    };
  }

  /** A command to completion without the group wrapper (for signals). */
  private async rawExec(argv: string[]): Promise<{ code: number | null }> {
    const container = await this.running();
    const exec = await container.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, Tty: false });
    const stream = await exec.start({ hijack: true, stdin: false });
    stream.resume();
    await new Promise<void>((resolve) => {
      stream.once("end", resolve);
      stream.once("close", resolve);
      stream.once("error", resolve);
    });
    for (let attempt = 0; attempt < 40; attempt++) {
      const inspect = await exec.inspect();
      if (!inspect.Running) return { code: inspect.ExitCode ?? null };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { code: null };
  }

  exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return execBySpawning((command, spawnOptions) => this.spawn(command, spawnOptions), argv, options);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const container = await this.container?.catch(() => undefined);
    await container?.remove({ force: true }).catch(() => {});
    this.removeRoot();
  }

  /** The container's id once made: removed at process exit, when nothing asynchronous runs. */
  createdId?: string;

  disposeNow(): void {
    this.disposed = true;
    this.removeRoot();
  }

  private removeRoot(): void {
    if (!this.root) return;
    rmSync(this.root, { recursive: true, force: true, maxRetries: 3 });
  }
}
