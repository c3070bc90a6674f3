/**
 * How a stdio MCP server's process is started: an injected spawner with the shape the
 * conversation's sandbox offers (argv, cwd, env → stdin/stdout/stderr pipes), so the server can
 * run stdio servers inside it. The default spawns directly, in the process's own group (a Ctrl-C
 * at the terminal must not reach it; stopping it stops what it started, e.g. `npx`'s child).
 */
import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";

export interface ProcessExit {
  code: number | null;
  signal: string | null;
  /** The process could not be started at all (e.g. the command does not exist). */
  error?: Error;
}

export interface SpawnedProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the process is gone. */
  readonly exited: Promise<ProcessExit>;
  /** Signals the process and whatever it started. */
  kill(signal?: NodeJS.Signals): void;
}

export interface SpawnOptions {
  cwd: string;
  /** The whole environment of the process (nothing else is inherited): the host allowlist, then `serverEnv`. */
  env: Record<string, string>;
  /** Only the server's own `env` from its config (a sandbox adds it to the sandbox's own environment). */
  serverEnv: Record<string, string>;
}

/** May be asynchronous: a sandbox starts its processes (and itself, the first time) asynchronously. */
export type ProcessSpawner = (argv: string[], options: SpawnOptions) => SpawnedProcess | Promise<SpawnedProcess>;

/** What a server gets of this process's environment: the sandbox's allowlist, nothing else. */
const inheritedNames = new Set(["PATH", "HOME", "USER", "SHELL", "LANG", "TERM", "TZ"]);

/** The allowlisted variables of `hostEnvironment`, then the server's own `env` from its config. */
export function serverEnvironment(serverEnvironmentVariables: Record<string, string>, hostEnvironment: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(hostEnvironment)) {
    if (value !== undefined && (inheritedNames.has(name) || name.startsWith("LC_"))) environment[name] = value;
  }
  return { ...environment, ...serverEnvironmentVariables };
}

export const spawnDirectly: ProcessSpawner = (argv, options) => {
  const [command, ...args] = argv;
  const child = spawn(command ?? "", args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"], detached: true });
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    kill(signal = "SIGTERM") {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        child.kill(signal);
      }
    },
  };
};
