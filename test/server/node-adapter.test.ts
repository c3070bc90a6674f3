import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer } from "../support/fake-model-server.js";

const root = new URL("../..", import.meta.url).pathname;
let directory: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "gptme-node-"));
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  rmSync(directory, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function start(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "adapters/node/main.ts"), "serve", "--workspace", directory, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: directory, XDG_DATA_HOME: join(directory, "data"), GPTME_SERVER_TOKEN: "port-token", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
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

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

const auth = { authorization: "Bearer port-token", "content-type": "application/json" };

describe("the Node adapter on a real port", () => {
  it("serves the API, needs the token, and keeps conversations across a restart", async () => {
    const first = await start(["--port", "0"]);
    expect(first.output()).toMatch(/Token:\s+port-token/);
    expect((await fetch(`${first.url}/api/v2/conversations`)).status).toBe(401);
    expect(await (await fetch(`${first.url}/api/v2/conversations`, { headers: auth })).json()).toEqual([]);
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
    expect((await fetch(`${first.url}/api/docs/`)).status).toBe(200);
    const put = await fetch(`${first.url}/api/v2/conversations/kept`, {
      method: "PUT",
      headers: auth,
      body: JSON.stringify({ messages: [{ role: "user", content: "remember me" }] }),
    });
    expect(put.status).toBe(200);
    await fetch(`${first.url}/api/v2/conversations/kept`, { method: "POST", headers: auth, body: JSON.stringify({ role: "assistant", content: "I will" }) });
    first.child.kill("SIGTERM");
    expect(await exited(first.child)).toBe(0);

    const second = await start(["--port", "0"]);
    const log = (await (await fetch(`${second.url}/api/v2/conversations/kept`, { headers: auth })).json()).log;
    expect(log.slice(-2).map((message: { content: string }) => message.content)).toEqual(["remember me", "I will"]);
  });

  it("says so in one line and exits 1 when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(start(["--port", String(port)])).rejects.toThrow(/exited with 1[\s\S]*already in use/);
    } finally {
      blocker.close();
    }
  });

  it("loses nothing announced when killed with SIGKILL mid-stream", async () => {
    const model = await startFakeModelServer();
    try {
      const server = await start(["--port", "0"], { OPENAI_BASE_URL: model.openaiBaseURL, MODEL: "local/fake" });
      const put = await fetch(`${server.url}/api/v2/conversations/crash`, {
        method: "PUT",
        headers: auth,
        body: JSON.stringify({ messages: [{ role: "user", content: "go" }], auto_confirm: true }),
      });
      const sessionId = (await put.json()).session_id;
      const events = await fetch(`${server.url}/api/v2/conversations/crash/events?session_id=${sessionId}`, { headers: auth });
      const { SseReader } = await import("../support/sse-client.js");
      const reader = new SseReader(events);
      await reader.nextType("connected", 30_000);
      model.enqueue(
        { text: "first\n```shell\necho one\n```\n" },
        { text: "streaming forever ".repeat(200), chunkSize: 3, delayMs: 10 },
      );
      await fetch(`${server.url}/api/v2/conversations/crash/step`, { method: "POST", headers: auth, body: JSON.stringify({ session_id: sessionId }) });
      await reader.nextType("tool_complete", 30_000);
      await reader.nextType("generation_progress", 30_000);
      await reader.nextType("generation_progress", 30_000);
      server.child.kill("SIGKILL");
      await exited(server.child);
      await reader.close();
      const announced = reader.frames
        .filter((frame) => frame.data.type === "message_added")
        .map((frame) => (frame.data.message as { content: string }).content);
      expect(announced.length).toBeGreaterThanOrEqual(2);

      const restarted = await start(["--port", "0"]);
      const log = (await (await fetch(`${restarted.url}/api/v2/conversations/crash`, { headers: auth })).json()).log;
      const stored = log.map((message: { content: string }) => message.content);
      for (const content of announced) expect(stored).toContain(content);
    } finally {
      await model.close();
    }
  }, 90_000);
});
