/**
 * The server turns V8's allocation-site pretenuring off for itself (adapters/node/v8-settings.ts).
 * V8's own trace of pretenuring decisions is the witness: a server started with
 * `--trace-pretenuring-statistics` prints none while it loads and serves, whereas the same server
 * with pretenuring forced back on from node's command line prints them.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;
const token = "v8-settings-token";
const directories: string[] = [];

afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** Starts the server with extra node flags, makes it allocate, stops it; returns what it printed. */
async function serveAndStop(nodeFlags: string[]): Promise<string> {
  const directory = mkdtempSync(join(tmpdir(), "gptme-v8-settings-"));
  directories.push(directory);
  const child = spawn(
    process.execPath,
    [...nodeFlags, "--import", "tsx", join(root, "adapters/node/main.ts"), "serve", "--port", "0", "--workspace", directory, "--sandbox", "none"],
    {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: directory, XDG_DATA_HOME: join(directory, "data"), XDG_CONFIG_HOME: join(directory, "config"), GPTME_SERVER_TOKEN: token },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) {
          clearInterval(timer);
          resolve(match[1]!);
        }
      }, 20);
      void exited.then(() => {
        clearInterval(timer);
        reject(new Error(`the server exited:\n${output}`));
      });
    });
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    for (let index = 0; index < 40; index++) {
      const id = `v8-settings-${index}`;
      const created = await fetch(`${url}/api/v2/conversations/${id}`, {
        method: "PUT",
        headers,
        body: JSON.stringify({ messages: [{ role: "user", content: `message ${index} `.repeat(200) }] }),
      });
      expect(created.status).toBe(200);
      expect((await fetch(`${url}/api/v2/conversations?limit=50`, { headers })).status).toBe(200);
    }
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
  return output;
}

const decisions = (output: string) => output.split("\n").filter((line) => line.includes("pretenuring:")).length;

describe("V8 settings of the server", () => {
  it("runs with allocation-site pretenuring off, and the trace would show it on", async () => {
    const [settled, forcedOn] = await Promise.all([
      serveAndStop(["--trace-pretenuring-statistics"]),
      serveAndStop(["--trace-pretenuring-statistics", "--allocation-site-pretenuring"]),
    ]);
    expect(settled).toMatch(/listening on/);
    expect(decisions(forcedOn)).toBeGreaterThan(0);
    expect(decisions(settled)).toBe(0);
  }, 120_000);
});
