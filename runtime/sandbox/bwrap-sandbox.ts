/**
 * `bwrap`: each conversation's processes in their own bubblewrap sandbox.
 *
 * One long-lived "holder" per sandbox owns a new user and PID namespace. Every process the tools
 * start is a separate bwrap that joins those two namespaces (`--userns`, `--pidns`) and builds the
 * same filesystem view (the workspace, private HOME, `/tmp` and output area, the system
 * read-only). So the shell, the tmux server and one-shot file operations see each other's
 * processes (`ps`, `kill` work across them) but nothing of the server's, and killing the holder
 * ends the PID namespace, which the kernel empties: nothing a conversation started (daemons,
 * `setsid`, `nohup`) outlives its sandbox. Joining costs about as much as a fresh bwrap (~10 ms).
 *
 * The holder gets no `--dev`: bwrap mounts devpts only as root of a user namespace, and for an
 * unprivileged server it then nests a second user namespace for the command, which a joiner could
 * not enter with the rights it needs for the PID namespace. Joiners mount their own `/dev`
 * (with devpts, which tmux needs) and share `/dev/shm` through a private directory.
 *
 * The environment is set with `--clearenv` plus the allowlist, and bwrap itself is started with
 * that same environment, so PID 1 inside (bwrap's reaper) does not carry the server's either.
 *
 * If the server dies, the holder dies with it (`--die-with-parent`, and its `cat` sees stdin
 * close), and with the holder every process of the sandbox.
 */
import type { ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { childPid, firstLine, launchBwrap, parentPid } from "./bwrap-launch.js";
import { privateMounts, systemMounts } from "./bwrap-mounts.js";
import type { CgroupGroup, CgroupSupport } from "./cgroups.js";
import { HostOutputArea } from "./host-output-area.js";
import { createPrivateDirectories, LocalSandbox, OUTPUT_DIRECTORY, type LocalSandboxPaths } from "./local-sandbox.js";
import type { SandboxNetwork } from "./report.js";

export interface BwrapSandboxOptions {
  conversationId: string;
  workspace: string;
  /** HOME inside (see `insideHome`). */
  home: string;
  /** The allowlisted environment (HOME already set to `home`). */
  environment: Record<string, string>;
  network: SandboxNetwork;
  /** Host paths never to show (data dir, config dir, database, other sandboxes). */
  secrets: string[];
  /** Extra read-only directories (the tools' runtimes). */
  readOnly: string[];
  /** The conversation's uploads: shown read-only at their host path. */
  attachments?: string;
  cgroups: CgroupSupport;
  /** Parent of the sandbox's private directory on the host. */
  directory: string;
  bwrap?: string;
}

interface Holder {
  child: ChildProcess;
  userNamespace: number;
  pidNamespace: number;
  exited: Promise<void>;
}

export class BwrapSandbox extends LocalSandbox {
  readonly backend = "bwrap" as const;
  readonly home: string;
  readonly outputs: HostOutputArea;
  private readonly paths: LocalSandboxPaths & { shm: string };
  private holder?: Promise<Holder>;
  private holderProcess?: ChildProcess;
  private group?: CgroupGroup;
  private failure?: Error;
  private readonly system = systemMounts();

  constructor(private readonly options: BwrapSandboxOptions) {
    super(options.conversationId, options.workspace);
    this.home = options.home;
    const paths = createPrivateDirectories(options.directory, options.conversationId);
    this.paths = { ...paths, shm: path.join(paths.root, "shm") };
    mkdirSync(this.paths.shm, { mode: 0o700 });
    this.outputs = new HostOutputArea(paths.outputs, OUTPUT_DIRECTORY);
  }

  protected baseEnvironment(): Record<string, string> {
    return this.options.environment;
  }

  /** Mounts every process of the sandbox shares; see bwrap-mounts.ts for the order. */
  private mountArguments(): string[] {
    return privateMounts(
      {
        workspace: this.workspace,
        home: { inside: this.home, host: this.paths.home },
        tmpHost: this.paths.tmp,
        outputs: { inside: OUTPUT_DIRECTORY, host: this.paths.outputs },
        secrets: this.options.secrets,
        readOnly: this.options.readOnly,
        shared: this.options.attachments ? [this.options.attachments] : [],
      },
      this.system.destinations,
    );
  }

  private network(): string[] {
    return this.options.network === "none" ? ["--unshare-net"] : [];
  }

  /** bwrap, through the launcher (see bwrap-launch.ts), in the sandbox's cgroup if it has one. */
  private launch(bwrapArguments: string[], stdio: Array<"pipe" | "ignore" | number>, env: Record<string, string>): ChildProcess {
    return launchBwrap(this.options.bwrap ?? "bwrap", bwrapArguments, { stdio, env, cgroupProcsFiles: this.group?.procsFiles ?? [] });
  }

  private startHolder(): Promise<Holder> {
    return (this.holder ??= (async () => {
      if (this.options.cgroups.available) this.group = this.options.cgroups.create(path.basename(this.paths.root));
      const child = this.launch(
        [
          "--unshare-user",
          "--unshare-pid",
          "--unshare-ipc",
          "--unshare-cgroup-try",
          ...this.network(),
          "--die-with-parent",
          "--new-session",
          "--cap-drop",
          "ALL",
          "--clearenv",
          ...this.system.arguments,
          "--dev-bind",
          "/dev/null",
          "/dev/null",
          "--proc",
          "/proc",
          "--chdir",
          "/",
          "--json-status-fd",
          "3",
          "--",
          "sh",
          "-c",
          "echo ready && exec cat",
        ],
        ["pipe", "pipe", "pipe", "pipe"],
        this.options.environment,
      );
      this.holderProcess = child;
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-2000)));
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.once("error", (error) => (this.failure ??= error));
      const pid = await childPid(child.stdio[3] as Readable);
      const fail = (why: string) => {
        child.kill("SIGKILL");
        return new Error(`Cannot start the bwrap sandbox: ${why}${stderr.trim() ? `: ${stderr.trim()}` : ""}`);
      };
      if (pid === undefined) throw fail("bwrap exited");
      // bwrap reports the pid before the namespace is ready (its uid map is written after): a
      // process joining that early fails ("Can't send pid"). The command's first line means ready.
      if (!(await firstLine(child.stdout, "ready"))) throw fail("the sandbox did not start");
      let userNamespace: number;
      let pidNamespace: number;
      try {
        userNamespace = openSync(`/proc/${pid}/ns/user`, "r");
        pidNamespace = openSync(`/proc/${pid}/ns/pid`, "r");
      } catch (error) {
        throw fail((error as Error).message);
      }
      // The pid could have been reused if the holder died at once: make sure these are its namespaces.
      if (parentPid(pid) !== child.pid) {
        closeSync(userNamespace);
        closeSync(pidNamespace);
        throw fail("the sandbox's first process is gone");
      }
      void exited.then(() => {
        if (!this.disposed) this.failure ??= new Error(`The conversation's sandbox ended unexpectedly${stderr.trim() ? `: ${stderr.trim()}` : ""}`);
      });
      for (const handle of [child, child.stdin, child.stdout, child.stderr, child.stdio[3]] as Array<{ unref?: () => void } | null>) handle?.unref?.();
      return { child, userNamespace, pidNamespace, exited };
    })());
  }

  /** Set once the sandbox cannot be used any more (its holder died); the manager then makes a new one. */
  get broken(): boolean {
    return this.failure !== undefined;
  }

  protected async start(argv: string[], cwd: string, env: Record<string, string>) {
    if (this.failure) throw this.failure;
    let holder: Holder;
    try {
      holder = await this.startHolder();
    } catch (error) {
      this.failure ??= error as Error;
      throw error;
    }
    const setenv = Object.entries(env).flatMap(([name, value]) => ["--setenv", name, value]);
    const child = this.launch(
      [
        "--userns",
        "3",
        "--pidns",
        "4",
        "--unshare-ipc",
        ...this.network(),
        // No --die-with-parent here: with --pidns, bwrap's intermediate process exits right after
        // forking the command, and a command that sets its parent-death signal before that exit
        // is killed by it (seen under load as exit 137). The holder's death ends these processes
        // anyway, PID namespace and all.
        "--new-session",
        // A server running as root would otherwise keep every capability inside the user namespace
        // it joins, enough to unmount a mask and see what it hides.
        "--cap-drop",
        "ALL",
        "--clearenv",
        ...setenv,
        ...this.system.arguments,
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--bind",
        this.paths.shm,
        "/dev/shm",
        ...this.mountArguments(),
        "--chdir",
        cwd,
        "--json-status-fd",
        "5",
        "--",
        ...argv,
      ],
      ["pipe", "pipe", "pipe", holder.userNamespace, holder.pidNamespace, "pipe"],
      env,
    );
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    const status = (child.stdio as unknown as Array<Readable | null>)[5];
    status?.on("error", () => {});
    const group = childPid(status);
    return { child, group };
  }

  /**
   * Killing the holder ends its PID namespace, and the kernel then kills every process in it:
   * nothing needs signalling by number. The launchers outside follow their commands.
   */
  protected killAll(): void {
    this.holderProcess?.kill("SIGKILL");
    for (const child of this.children) child.kill("SIGKILL");
  }

  protected async teardown(): Promise<void> {
    const holder = await this.holder?.catch(() => undefined);
    if (holder) {
      // Unreferenced while the sandbox lived; awaited now, it must keep the process alive until it is gone.
      holder.child.ref();
      holder.child.kill("SIGKILL");
      await holder.exited;
      closeSync(holder.userNamespace);
      closeSync(holder.pidNamespace);
    }
    await this.group?.remove().catch(() => {});
    this.removeDirectory(this.paths.root);
  }

  /** For process exit: the holder's death ends every process inside (and --die-with-parent covers a crash). */
  override disposeNow(): void {
    super.disposeNow();
    this.removeDirectory(this.paths.root);
  }
}
