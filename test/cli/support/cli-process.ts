/** Runs `gptme` / `gptme-util` from source in a child process with a private home, data dir and database. */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repositoryRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");
/** Absolute, so the child finds tsx whatever its working directory. */
export const tsxLoader = join(repositoryRoot, "node_modules", "tsx", "dist", "loader.mjs");
export const programs = {
  gptme: join(repositoryRoot, "adapters", "cli", "main.ts"),
  "gptme-util": join(repositoryRoot, "adapters", "cli", "util-main.ts"),
};

export interface CliHome {
  root: string;
  home: string;
  /** The working directory, and so the default workspace. */
  workspace: string;
  databasePath: string;
  dataDirectory: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/** A throwaway HOME with XDG dirs and GPTME_DB inside it; no provider keys from the real environment. */
export function createCliHome(extraEnv: NodeJS.ProcessEnv = {}): CliHome {
  const root = mkdtempSync(join(tmpdir(), "gptme-cli-"));
  const home = join(root, "home");
  const workspace = join(root, "workspace");
  for (const directory of [home, workspace]) mkdirSync(directory, { recursive: true });
  const databasePath = join(root, "gptme.db");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_CONFIG_HOME: join(home, ".config"),
    GPTME_DB: databasePath,
    TMPDIR: tmpdir(),
    ...extraEnv,
  };
  return {
    root,
    home,
    workspace,
    databasePath,
    dataDirectory: join(home, ".local", "share", "gptme"),
    env,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  stdin?: string;
  /** Called once the child runs (e.g. to send it a signal later). */
  started?: (child: ReturnType<typeof spawn>) => void;
  timeoutMs?: number;
}

/** Asynchronous on purpose: the fake model server runs in this process and must keep answering. */
export function runCli(program: keyof typeof programs, args: string[], options: RunOptions): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--import", tsxLoader, programs[program], ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${program} ${args.join(" ")} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 25_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    options.started?.(child);
  });
}
