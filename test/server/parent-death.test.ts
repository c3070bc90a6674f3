/**
 * `--exit-on-parent-death` and `--watch-pid` (gptme's flags): a server started by another program
 * goes away with it, even when that program is killed with SIGKILL and cannot clean up.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { watchParent } from "../../adapters/node/parent-watch.js";
import { exited, processToken, startServerProcess } from "../support/server-process.js";

const root = new URL("../..", import.meta.url).pathname;
let directory: string;
const children: ChildProcess[] = [];
/** Servers started through a shell, which the test cannot reach as children. */
const orphans: number[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "gptme-parent-"));
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const pid of orphans.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(directory, { recursive: true, force: true });
});

describe("--exit-on-parent-death", () => {
  it("shuts the server down when the shell that started it is killed with SIGKILL", async () => {
    const server = `"${process.execPath}" --import tsx adapters/node/main.ts serve --port 0 --workspace "${directory}" --exit-on-parent-death`;
    const parent = spawn("sh", ["-c", `${server} & echo "server pid $!"; wait`], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: directory, XDG_DATA_HOME: join(directory, "data"), GPTME_SERVER_TOKEN: processToken },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(parent);
    let output = "";
    // The server writes to the same pipe: it closes once the server (its last writer) has exited.
    const serverGone = new Promise<void>((resolve) => parent.stdout!.on("close", resolve));
    const url = await new Promise<string>((resolve, reject) => {
      parent.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = output.match(/listening on (http:\/\/\S+)/);
        if (match) resolve(match[1]!);
      });
      parent.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      parent.on("exit", () => reject(new Error(`the shell exited early:\n${output}`)));
    });
    const serverPid = Number(output.match(/server pid (\d+)/)![1]);
    orphans.push(serverPid);
    expect((await fetch(`${url}/health`)).status).toBe(200);

    parent.kill("SIGKILL");
    await serverGone;
    expect(output).toMatch(/Watched process \d+ is gone \(--exit-on-parent-death, --watch-pid\): shutting down/);
    // Reparented to a pid 1 that may not reap it, the process may linger as a zombie: not running.
    expect(existsSync(`/proc/${serverPid}`) ? readFileSync(`/proc/${serverPid}/stat`, "utf8").split(" ")[2] : "gone").toMatch(/^(Z|X|gone)$/);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  }, 180_000);

  it("with --watch-pid, shuts down when that process dies; refuses to start when it is already gone", async () => {
    const watched = spawn("sleep", ["600"], { stdio: "ignore" });
    children.push(watched);
    const server = await startServerProcess(directory, ["--watch-pid", String(watched.pid)]);
    children.push(server.child);
    watched.kill("SIGKILL");
    expect(await exited(server.child)).toBe(0);
    expect(server.output()).toMatch(new RegExp(`Watched process ${watched.pid} is gone`));

    await expect(startServerProcess(directory, ["--watch-pid", String(watched.pid)])).rejects.toThrow(
      new RegExp(`exited with 1:\\ngptme-server: Watched process ${watched.pid} is not running \\(--watch-pid\\)\\n$`),
    );
  }, 180_000);

  it("watches nothing when there is nothing meaningful to watch (pid 0 or 1: already an orphan, or under init)", () => {
    expect(watchParent({ parent: false, pid: 1 }, () => undefined)).toBeNull();
    expect(watchParent({ parent: false, pid: 0 }, () => undefined)).toBeNull();
    const stop = watchParent({ parent: true }, () => undefined);
    expect(stop).toBeTypeOf("function");
    stop!();
  });
});
