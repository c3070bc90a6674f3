/**
 * A private NATS server with JetStream for tests and the bench: `nats-server -js` on a free port
 * of 127.0.0.1, its JetStream files in a temp dir. `GPTME_TEST_NATS_URL` points at an existing
 * server instead (tests then use their own stream names, see `natsStreamName`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface NatsServer {
  url: string;
  directory: string;
  /** The process id (another process may stop it). */
  pid: number;
}

function natsBinary(): string | null {
  for (const directory of ["/usr/sbin", "/usr/bin", "/usr/local/bin", ...(process.env.PATH ?? "").split(":")]) {
    if (directory && existsSync(join(directory, "nats-server"))) return join(directory, "nats-server");
  }
  return null;
}

/** A port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a throwaway server; resolves once it accepts clients, throws with a readable reason when it cannot. */
export async function startNats(): Promise<NatsServer> {
  const binary = natsBinary();
  if (!binary) throw new Error("nats-server is not installed (apt-get install nats-server)");
  const directory = mkdtempSync(join(tmpdir(), "gptme-nats-"));
  // A port taken between the probe and the start makes nats-server exit: try a few.
  let lastOutput = "";
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = await freePort();
    const log = join(directory, `nats-${port}.log`);
    // Its log goes to a file, not a pipe: the server outlives the test file that started it.
    const child = spawn(binary, ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", directory, "-l", log], {
      stdio: "ignore",
      detached: true,
    });
    let exitedEarly = false;
    child.once("exit", () => (exitedEarly = true));
    child.once("error", () => (exitedEarly = true));
    const deadline = Date.now() + 60_000;
    while (!exitedEarly && Date.now() < deadline) {
      lastOutput = existsSync(log) ? readFileSync(log, "utf8") : "";
      if (/Server is ready/.test(lastOutput)) {
        child.unref();
        return { url: `nats://127.0.0.1:${port}`, directory, pid: child.pid! };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!exitedEarly) child.kill("SIGKILL");
  }
  rmSync(directory, { recursive: true, force: true });
  throw new Error(`nats-server did not start: ${lastOutput.trim().split("\n").slice(-2).join(" ")}`);
}

/** Stops the server (SIGKILL: nothing of it needs to survive) and removes its files. */
export async function stopNats(server: NatsServer): Promise<void> {
  try {
    process.kill(server.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
  for (let waited = 0; waited < 100; waited += 1) {
    try {
      process.kill(server.pid, 0);
    } catch {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  rmSync(server.directory, { recursive: true, force: true });
}

export type { ChildProcess };
