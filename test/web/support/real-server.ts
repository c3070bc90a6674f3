/** The real gptme server as a child process (the Node adapter, as a user runs it), for end-to-end browser tests. */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { repositoryRoot } from "./browser.js";

export interface RealServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export interface RealServerOptions {
  directory: string;
  workspace: string;
  token: string;
  /** 0 (default) picks a free port; a restart passes the previous one. */
  port?: number;
  env?: Record<string, string>;
}

export function startRealServer(options: RealServerOptions): Promise<RealServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", join(repositoryRoot, "adapters/node/main.ts"), "serve", "--port", String(options.port ?? 0), "--workspace", options.workspace],
    {
      cwd: repositoryRoot,
      env: {
        PATH: process.env.PATH,
        HOME: options.directory,
        XDG_DATA_HOME: join(options.directory, "data"),
        XDG_CONFIG_HOME: join(options.directory, "config"),
        GPTME_SERVER_TOKEN: options.token,
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill("SIGKILL"), 5000);
      child.once("exit", () => {
        clearTimeout(force);
        resolve();
      });
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the server did not start:\n${output}`));
    }, 30_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], output: () => output, stop });
      }
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}`));
    });
  });
}
