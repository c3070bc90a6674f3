/**
 * `user`: tools run as another Unix user (the server image's `appuser`), switched by a small
 * setuid helper that only the server's user may execute (docker/run-as-appuser.c). For where user
 * namespaces are refused (Docker's default seccomp profile), so bubblewrap cannot run.
 *
 * What it protects is the server: a process of another uid cannot read `/proc/<server>/environ`
 * (the token, the keys) nor signal the server, and the store and config are the server's own,
 * mode 600/700 (the manager makes sure). What it does not: conversations from each other (one
 * tools user for all), nor the rest of the filesystem (the tools see what that user may see).
 * Limits are rlimits set by `prlimit` before the command: processes per user (shared by every
 * conversation) and address space per process.
 *
 * The server cannot signal the tools user's processes either, so signals go through the helper.
 * tmux's server leaves the process groups the sandbox tracks (it daemonizes), so each sandbox
 * gives tmux a socket folder of its own (`TMUX_TMPDIR`) and ends the servers found there when it
 * is removed: otherwise a conversation's sessions would outlive it, and be seen by the others.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { HostOutputArea } from "./host-output-area.js";
import { LocalSandbox } from "./local-sandbox.js";
import { execBySpawning, localProcess } from "./local-process.js";
import type { ExecOptions, ExecResult, SandboxProcess, SpawnOptions } from "./types.js";

export interface UserSandboxOptions {
  conversationId: string;
  workspace: string;
  helper: string;
  /** The tools user's HOME (the helper sets it; file tools need it for `~`). */
  home: string;
  /** The allowlisted environment (HOME, USER are replaced by the helper). */
  environment: Record<string, string>;
  limits: { pids: number; memoryBytes: number };
  /** Parent of the sandbox's output directory (traversable by the tools user). */
  directory: string;
}

const GROUP_SIGNAL_WINDOW_MILLISECONDS = 5000;

/** bash's kill: dash's has no `--`, and the image may have no kill program. */
const KILL = 'kill "$1" -- "$2" 2>/dev/null';

/**
 * Ends every tmux server whose socket is in the sandbox's tmux folder (`-L` names included), then
 * removes tmux's folder there, which is the tools user's (mode 700) and so not the server's to remove.
 */
const KILL_TMUX =
  'folder="$TMUX_TMPDIR/tmux-$(id -u)"; for socket in "$folder"/*; do [ -S "$socket" ] && tmux -S "$socket" kill-server; done 2>/dev/null; rm -rf -- "$folder"';

export const DEFAULT_USER_HELPER = "/usr/local/libexec/gptme/run-as-appuser";

/** Whether the helper works here, and the tools user's HOME. */
export function probeUserHelper(helper: string): { ok: true; home: string; uid: number } | { ok: false; reason: string } {
  const run = spawnSync(helper, ["sh", "-c", 'id -u; printf "%s\\n" "$HOME"'], { encoding: "utf8", timeout: 10_000, env: { PATH: "/usr/local/bin:/usr/bin:/bin" } });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return { ok: false, reason: `${helper} is not installed` };
  if (run.status !== 0) return { ok: false, reason: `${helper} fails: ${(run.stderr || run.error?.message || `exit ${run.status}`).trim()}` };
  const [uid, home] = run.stdout.split("\n");
  if (Number(uid) === process.getuid?.()) return { ok: false, reason: `${helper} runs tools as the server's own user` };
  return { ok: true, home: home || "/", uid: Number(uid) };
}

/**
 * Makes what the tools user must reach reachable, and what it must not, private: each secret is
 * made 600 (files) or 700 (folders); a folder between a secret folder and the workspace or the
 * uploads gets 711 (passable, not listable), an `@log` workspace inside it 777, the uploads 755.
 * Only paths the server owns are changed.
 */
export function prepareUserAccess(secrets: string[], places: { workspace: string; attachments?: string }): void {
  const owned = (target: string) => {
    try {
      return statSync(target).uid === process.getuid?.();
    } catch {
      return false;
    }
  };
  const within = (child: string, parent: string) => {
    const relative = path.relative(parent, child);
    return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
  };
  const reachable = [places.workspace, places.attachments].filter((place): place is string => !!place);
  for (const secret of secrets) {
    if (!owned(secret)) continue;
    const inner = reachable.filter((place) => within(place, secret) && place !== secret);
    if (!statSync(secret).isDirectory()) {
      chmodSync(secret, 0o600);
      continue;
    }
    chmodSync(secret, inner.length > 0 ? 0o711 : 0o700);
    for (const place of inner) {
      for (let folder = path.dirname(place); within(folder, secret) && folder !== secret; folder = path.dirname(folder)) {
        if (owned(folder)) chmodSync(folder, 0o711);
      }
      if (owned(place)) chmodSync(place, place === places.workspace ? 0o777 : 0o755);
    }
  }
}

export class UserSandbox extends LocalSandbox {
  readonly backend = "user" as const;
  readonly home: string;
  readonly outputs: HostOutputArea;
  private readonly root: string;
  private readonly tmuxDirectory: string;
  private readonly groups = new Map<ChildProcess, number>();

  constructor(private readonly options: UserSandboxOptions) {
    super(options.conversationId, options.workspace);
    this.home = options.home;
    const safe = options.conversationId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 40);
    this.root = mkdtempSync(path.join(options.directory, `${safe}-`));
    chmodSync(this.root, 0o711);
    const outputs = path.join(this.root, "outputs");
    // Sticky and world-writable: the tools user writes its outputs here and cannot remove the server's.
    mkdirSync(outputs);
    chmodSync(outputs, 0o1777);
    this.outputs = new HostOutputArea(outputs, outputs);
    // tmux makes its own private tmux-<uid> folder inside. A short path: a socket's may not pass 107 bytes.
    this.tmuxDirectory = mkdtempSync(path.join(options.directory, "tmux-"));
    chmodSync(this.tmuxDirectory, 0o1777);
  }

  /** SHELL defaults to bash: tmux runs panes through it, and a service user's login shell may be nologin. */
  protected baseEnvironment(): Record<string, string> {
    return { SHELL: "/bin/bash", ...this.options.environment, TMUX_TMPDIR: this.tmuxDirectory };
  }

  /**
   * The directory is entered by `env --chdir` after the switch to the tools user: the server's own
   * user may not be able to enter the project (mode 700, owned by the tools user), so the helper
   * itself starts in `/`.
   */
  private wrapped(argv: string[], cwd: string): string[] {
    const { pids, memoryBytes } = this.options.limits;
    return [this.options.helper, "env", `--chdir=${cwd}`, "prlimit", `--nproc=${pids}`, `--as=${memoryBytes}`, "--", ...argv];
  }

  protected async start(argv: string[], cwd: string, env: Record<string, string>) {
    const child = spawn(this.options.helper, this.wrapped(argv, cwd).slice(1), { cwd: "/", env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    // detached: the helper leads its own process group, and keeps that pid through every exec.
    this.groups.set(child, child.pid!);
    child.once("exit", () => setTimeout(() => this.groups.delete(child), GROUP_SIGNAL_WINDOW_MILLISECONDS).unref());
    return { child, group: Promise.resolve(child.pid) };
  }

  /** Signals a group of the tools user through the helper (the server's uid may not). */
  private signal(group: number, signal: NodeJS.Signals | 0): Promise<boolean> {
    const flag = signal === 0 ? "-0" : `-${signal.replace(/^SIG/, "")}`;
    return new Promise((resolve) => {
      const child = spawn(this.options.helper, ["bash", "-c", KILL, "bash", flag, `-${group}`], { stdio: "ignore" });
      child.once("exit", (code) => resolve(code === 0));
      child.once("error", () => resolve(false));
    });
  }

  override async spawn(argv: string[], options: SpawnOptions = {}): Promise<SandboxProcess> {
    if (this.disposed) throw new Error("The conversation's sandbox was removed");
    if (argv.length === 0) throw new Error("spawn: empty argv");
    this.lastUsed = Date.now();
    const { child } = await this.start(argv, options.cwd ?? this.workspace, { ...this.baseEnvironment(), ...options.env });
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
    const group = child.pid!;
    const process = localProcess(child, Promise.resolve(group));
    let exitedAt: number | undefined;
    void process.exited.then(() => (exitedAt = Date.now()));
    return {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      exited: process.exited,
      setReferenced: process.setReferenced,
      kill: async (signal) => {
        if (exitedAt !== undefined && Date.now() - exitedAt > GROUP_SIGNAL_WINDOW_MILLISECONDS) return false;
        return this.signal(group, signal);
      },
    };
  }

  override exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return execBySpawning((command, spawnOptions) => this.spawn(command, spawnOptions), argv, options);
  }

  /** Whether a tmux server of this sandbox made its folder (the server may not look inside). */
  private usedTmux(): boolean {
    try {
      return readdirSync(this.tmuxDirectory).length > 0;
    } catch {
      return false;
    }
  }

  protected killAll(): void {
    if (this.usedTmux()) {
      spawnSync(this.options.helper, ["sh", "-c", KILL_TMUX], { stdio: "ignore", timeout: 5000, env: { ...this.baseEnvironment() } });
    }
    for (const group of this.groups.values()) spawnSync(this.options.helper, ["bash", "-c", KILL, "bash", "-KILL", `-${group}`], { stdio: "ignore", timeout: 5000 });
  }

  protected async teardown(): Promise<void> {
    this.removeDirectory(this.tmuxDirectory);
    this.removeDirectory(this.root);
  }
}

