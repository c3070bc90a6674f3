/** `gptme-server serve` as a real child process on a random port, for the tests that need a process. */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

export const processToken = "port-token";
export const processAuth = { authorization: `Bearer ${processToken}`, "content-type": "application/json" };

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/**
 * Starts the server in `directory` (its home, data and default workspace) and resolves once the
 * banner names its URL; `--port 0` is added unless `args` has a port.
 */
export function startServerProcess(directory: string, args: string[] = [], env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = args.includes("--port") ? [] : ["--port", "0"];
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "adapters/node/main.ts"), "serve", "--workspace", directory, ...port, ...args],
    {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: directory, XDG_DATA_HOME: join(directory, "data"), GPTME_SERVER_TOKEN: processToken, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start:\n${output}`));
    }, 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => output });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

/** Resolves with the exit code (or the signal's name) once the process has ended. */
export function exited(child: ChildProcess): Promise<number | string | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? child.signalCode);
    else child.once("exit", (code, signal) => resolve(code ?? signal));
  });
}
