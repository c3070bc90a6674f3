/**
 * What the local backends (`bwrap`, `none`) share: a private directory on the host for the
 * sandbox's `/tmp`, HOME and output area, the processes they started, `exec` and file operations
 * built on `spawn`, and the bookkeeping idle removal needs.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { ExecFiles } from "./exec-files.js";
import { HostOutputArea } from "./host-output-area.js";
import { execBySpawning, localProcess } from "./local-process.js";
import type { SandboxBackendName } from "./report.js";
import type { ExecOptions, ExecResult, Sandbox, SandboxFiles, SandboxProcess, SpawnOptions } from "./types.js";

/** Where the output area appears inside a sandbox with its own `/tmp`. */
export const OUTPUT_DIRECTORY = "/tmp/gptme-outputs";

export interface LocalSandboxPaths {
  /** The sandbox's own directory on the host (removed on dispose). */
  root: string;
  tmp: string;
  home: string;
  outputs: string;
}

/** Creates `<parent>/<conversation>-XXXXXX/{tmp,home,outputs}`, private to the server's user. */
export function createPrivateDirectories(parent: string, conversationId: string): LocalSandboxPaths {
  const safe = conversationId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 40);
  const root = mkdtempSync(path.join(parent, `${safe}-`));
  const paths = { root, tmp: path.join(root, "tmp"), home: path.join(root, "home"), outputs: path.join(root, "outputs") };
  for (const directory of [paths.tmp, paths.home, paths.outputs]) mkdirSync(directory, { mode: 0o700 });
  return paths;
}

interface Started {
  child: ChildProcess;
  /** The process group to signal (see `localProcess`). */
  group: Promise<number | undefined>;
}

export abstract class LocalSandbox implements Sandbox {
  abstract readonly backend: SandboxBackendName;
  abstract readonly home: string;
  abstract readonly outputs: HostOutputArea;
  readonly files: SandboxFiles;
  disposed = false;
  lastUsed = Date.now();
  private holds = 0;
  /** Running processes (their group leaders, for `none`; bwrap's launchers, for `bwrap`). */
  protected readonly children = new Set<ChildProcess>();

  constructor(
    readonly conversationId: string,
    readonly workspace: string,
  ) {
    this.files = new ExecFiles((argv, options) => this.exec(argv, options));
  }

  /** Starts one process of the sandbox, in a process group of its own. */
  protected abstract start(argv: string[], cwd: string, env: Record<string, string>): Promise<Started>;

  /** The backend's own teardown, after every tracked process group has been killed. */
  protected abstract teardown(): Promise<void>;

  /** Environment of every process: the backend's base environment plus the caller's additions. */
  protected abstract baseEnvironment(): Record<string, string>;

  get busy(): boolean {
    return this.holds > 0;
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

  async spawn(argv: string[], options: SpawnOptions = {}): Promise<SandboxProcess> {
    if (this.disposed) throw new Error("The conversation's sandbox was removed");
    if (argv.length === 0) throw new Error("spawn: empty argv");
    this.lastUsed = Date.now();
    const { child, group } = await this.start(argv, options.cwd ?? this.workspace, { ...this.baseEnvironment(), ...options.env });
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
    return localProcess(child, group);
  }

  exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return execBySpawning((command, spawnOptions) => this.spawn(command, spawnOptions), argv, options);
  }

  /** Kills what the sandbox runs; only live children are signalled (see `localProcess` on stale groups). */
  protected abstract killAll(): void;

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.killAll();
    await this.teardown();
  }

  /** For process exit, when nothing asynchronous can run any more. */
  disposeNow(): void {
    this.disposed = true;
    this.killAll();
  }

  protected removeDirectory(directory: string): void {
    rmSync(directory, { recursive: true, force: true, maxRetries: 3 });
  }
}
