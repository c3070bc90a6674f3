/**
 * The server users run (`npm start`, `gptme-server`, the images) is the bundle that
 * scripts/build-server.mjs writes to dist/server/, not the sources the other tests load through
 * tsx. Built fresh here and started through bin/gptme-server.js, it serves the web UI, the API docs
 * and the API, and runs a conversation whose tools (a shell command, a file saved with its diff, an
 * upload) use the parts the bundle loads only when first needed.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { SseReader } from "../support/sse-client.js";

const root = new URL("../..", import.meta.url).pathname;
const token = "built-token";
const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };

let directory: string;
let model: FakeModelServer;
let child: ChildProcess;
let url: string;
let output = "";

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, "scripts/build-server.mjs")], { cwd: root, stdio: "inherit" });
  directory = mkdtempSync(join(tmpdir(), "gptme-built-"));
  model = await startFakeModelServer();
  child = spawn(process.execPath, [join(root, "bin/gptme-server.js"), "serve", "--port", "0", "--workspace", directory], {
    cwd: directory,
    env: {
      PATH: process.env.PATH,
      HOME: directory,
      XDG_DATA_HOME: join(directory, "data"),
      XDG_CONFIG_HOME: join(directory, "config"),
      GPTME_SERVER_TOKEN: token,
      OPENAI_BASE_URL: model.openaiBaseURL,
      MODEL: "local/fake",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the built server exited with ${code}:\n${output}`)));
  });
}, 120_000);

afterAll(async () => {
  child?.kill("SIGKILL");
  await model?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe("the bundled server (dist/server)", () => {
  it("is what bin/gptme-server.js and npm start run", () => {
    expect(readFileSync(join(root, "bin/gptme-server.js"), "utf8")).toContain("../dist/server/main.mjs");
    const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(packageJson.scripts.start).toContain("dist/server/main.mjs");
    expect(output).toMatch(/Token: +built-token/);
  });

  it("serves health, the web UI, the API docs and the API", async () => {
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
    expect(existsSync(join(root, "dist/web/index.html"))).toBe(true);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<script");
    expect((await fetch(`${url}/api/docs/`)).status).toBe(200);
    const openapi = (await (await fetch(`${url}/api/docs/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toContain("/api/v2/conversations");
    expect((await fetch(`${url}/api/v2/conversations`)).status).toBe(401);
    const about = (await (await fetch(`${url}/api/v2`, { headers: auth })).json()) as { version: string };
    expect(about.version).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
  });

  it("runs a conversation: a shell command and a saved file in the workspace, and an upload", async () => {
    const conversation = `${url}/api/v2/conversations/built`;
    const put = await fetch(conversation, {
      method: "PUT",
      headers: auth,
      body: JSON.stringify({ messages: [{ role: "user", content: "write the files" }], config: { chat: { workspace: directory } } }),
    });
    expect(put.status).toBe(200);
    const sessionId = ((await put.json()) as { session_id: string }).session_id;
    const events = new SseReader(await fetch(`${conversation}/events?session_id=${sessionId}`, { headers: auth }));
    await events.nextType("connected", 30_000);
    model.enqueue(
      { text: "```shell\necho from-the-bundle > shell.txt\n```\n" },
      { text: "```save notes.txt\nsaved by the bundle\n```\n" },
      { text: "done" },
    );
    const step = await fetch(`${conversation}/step`, { method: "POST", headers: auth, body: JSON.stringify({ session_id: sessionId, auto_confirm: true }) });
    expect(step.status).toBe(200);
    await events.next((frame) => frame.data.type === "generation_complete" && String((frame.data.message as { content: string }).content) === "done", 60_000);
    await events.close();
    expect(readFileSync(join(directory, "shell.txt"), "utf8")).toBe("from-the-bundle\n");
    expect(readFileSync(join(directory, "notes.txt"), "utf8")).toBe("saved by the bundle\n");

    const form = new FormData();
    form.append("file", new Blob(["uploaded through the bundle"]), "upload.txt");
    const upload = await fetch(`${conversation}/workspace/upload`, { method: "POST", headers: { authorization: auth.authorization }, body: form });
    expect(upload.status).toBe(200);
    const uploadedPath = ((await upload.json()) as { files: Array<{ path: string }> }).files[0]!.path;
    const download = await fetch(`${conversation}/files/${uploadedPath}`, { headers: auth });
    expect(await download.text()).toBe("uploaded through the bundle");
    const log = ((await (await fetch(conversation, { headers: auth })).json()) as { log: Array<{ role: string; content: string }> }).log;
    expect(log.map((message) => message.role)).toEqual(["system", "user", "assistant", "system", "assistant", "system", "assistant"]);
    expect(log[4]!.content).toContain("```save notes.txt");
  }, 120_000);

  it("streams a V1 generate as data: frames written straight to the socket", async () => {
    const v1 = `${url}/api/conversations/built-v1`;
    expect((await fetch(v1, { method: "PUT", headers: auth, body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }) })).status).toBe(200);
    model.enqueue({ text: "Hello from the socket", chunkSize: 3 });
    const response = await fetch(`${v1}/generate`, { method: "POST", headers: auth, body: JSON.stringify({ stream: true }) });
    expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
    const frames = (await response.text()).split("\n\n").filter(Boolean);
    for (const frame of frames) expect(frame.startsWith("data: ")).toBe(true);
    const payloads = frames.map((frame) => JSON.parse(frame.slice(6)) as { content: string; stored: boolean });
    expect(payloads.filter((payload) => !payload.stored).map((payload) => payload.content).join("")).toBe("Hello from the socket");
    expect(payloads.at(-1)).toMatchObject({ role: "assistant", content: "Hello from the socket", stored: true });
  }, 60_000);
});
