/**
 * `none`: no isolation. Processes run as the server, in its filesystem, with its environment minus
 * `GPTME_SERVER_TOKEN` (gptme's behaviour, plus that one guard). Only a private output area
 * exists, so the tools work the same way on every backend.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import path from "node:path";
import { unsandboxedEnvironment } from "./environment.js";
import { HostOutputArea } from "./host-output-area.js";
import { LocalSandbox } from "./local-sandbox.js";
import { signalGroup } from "./local-process.js";

export interface NoneSandboxOptions {
  conversationId: string;
  workspace: string;
  /** The server's environment. */
  environment: NodeJS.ProcessEnv;
  /** Names the user allowed explicitly (`GPTME_SANDBOX_ENV`); only matters for the token here. */
  extraNames?: string[];
  /** Parent of the private output directory. */
  directory: string;
}

export class NoneSandbox extends LocalSandbox {
  readonly backend = "none" as const;
  readonly home: string;
  readonly outputs: HostOutputArea;
  private readonly root: string;
  private readonly environment: Record<string, string>;

  constructor(options: NoneSandboxOptions) {
    super(options.conversationId, options.workspace);
    this.environment = unsandboxedEnvironment(options.environment, options.extraNames);
    this.home = this.environment.HOME ?? "/";
    const safe = options.conversationId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 40);
    this.root = mkdtempSync(path.join(options.directory, `${safe}-`));
    this.outputs = new HostOutputArea(this.root, this.root);
  }

  protected baseEnvironment(): Record<string, string> {
    return this.environment;
  }

  protected async start(argv: string[], cwd: string, env: Record<string, string>) {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    const group = new Promise<number | undefined>((resolve) => {
      if (child.pid !== undefined) resolve(child.pid);
      else child.once("error", () => resolve(undefined));
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    return { child, group };
  }

  /** Each process leads its own group (`detached`); a running leader pins its group's number. */
  protected killAll(): void {
    for (const child of this.children) {
      if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
      child.kill("SIGKILL");
    }
  }

  protected async teardown(): Promise<void> {
    this.removeDirectory(this.root);
  }
}
