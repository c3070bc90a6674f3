/**
 * A message's files reach the model as gptme sends them: text files inlined after the message,
 * images as vision input (OpenAI `image_url` parts, Anthropic `image` blocks), through the real
 * SDKs against the fake model server, whose recorded requests show what arrived.
 */
import { readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { createModelBackedServer, createTestServer, type TestServer } from "../support/test-runtime.js";

// A 1×1 PNG.
const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

let model: FakeModelServer;
let server: TestServer;

beforeAll(async () => {
  model = await startFakeModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(() => model.reset());
afterEach(async () => {
  await server.close();
});

function openaiServer() {
  return createTestServer({
    env: { HOME: "/nonexistent", PATH: process.env.PATH, OPENAI_API_KEY: "sk-test", MODEL: "openai/gpt-4o" },
    modelBaseURLs: { openai: model.openaiBaseURL },
  });
}

function anthropicServer() {
  return createTestServer({
    env: {
      HOME: "/nonexistent",
      PATH: process.env.PATH,
      ANTHROPIC_API_KEY: "sk-ant-test",
      ANTHROPIC_BASE_URL: model.anthropicBaseURL,
      MODEL: "anthropic/claude-sonnet-4-5",
    },
  });
}

/** Creates a conversation with a text file and an uploaded image, posts a message with both, steps. */
async function sendWithFiles(extraFiles: string[] = []) {
  const created = await server.call("/api/v2/conversations/seeing", { method: "PUT", json: { prompt: "short" } });
  const sessionId = (await created.json()).session_id;
  const workspace = (await server.runtime.store.get("seeing"))!.workspace;
  writeFileSync(join(workspace, "notes.md"), "hello notes\n```python\nprint(1)\n```");
  const form = new FormData();
  form.append("file", new Blob([png]), "photo.png");
  const uploaded = await server.call("/api/v2/conversations/seeing/workspace/upload", { method: "POST", body: form });
  const imagePath = (await uploaded.json()).files[0].path;
  const files = ["notes.md", imagePath, ...extraFiles];
  const posted = await server.call("/api/v2/conversations/seeing", { method: "POST", json: { role: "user", content: "look at these", files } });
  expect(posted.status).toBe(200);
  return { sessionId, workspace };
}

/** Steps and answers the body of the reply's request (auto-naming may ask the model afterwards). */
async function step(sessionId: string) {
  const before = model.requests.length;
  const response = await server.call("/api/v2/conversations/seeing/step", { method: "POST", json: { session_id: sessionId } });
  expect(response.status).toBe(200);
  await server.runtime.sessions.settled("seeing");
  return model.requests[before]!.body;
}

const inlined = "look at these\n\n````notes.md\nhello notes\n```python\nprint(1)\n```\n````";

describe("files sent to an OpenAI model", () => {
  it("inlines text files and sends images as image_url parts", async () => {
    server = openaiServer();
    const { sessionId } = await sendWithFiles(["https://example.com/remote.png"]);
    const body = await step(sessionId);
    const user = body.messages.findLast((message: { role: string }) => message.role === "user");
    expect(user.content).toEqual([
      { type: "text", text: `${inlined}\n\n[WARNING: Model doesn't support viewing file: https://example.com/remote.png]` },
      { type: "text", text: "![photo.png](photo.png):" },
      { type: "image_url", image_url: { url: `data:image/png;base64,${png.toString("base64")}` } },
    ]);
  });

  it("tells a model without vision that the image was left out", async () => {
    server = createModelBackedServer(model.openaiBaseURL);
    const { sessionId } = await sendWithFiles();
    const body = await step(sessionId);
    const user = body.messages.findLast((message: { role: string }) => message.role === "user");
    expect(JSON.stringify(user.content)).not.toContain("image_url");
    expect(user.content).toContainEqual({ type: "text", text: "[WARNING: Model doesn't support viewing file: photo.png]" });
  });
});

describe("files sent to an Anthropic model", () => {
  it("inlines text files and sends images as base64 image blocks", async () => {
    server = anthropicServer();
    const { sessionId } = await sendWithFiles();
    const body = await step(sessionId);
    expect(model.requests[0]!.path).toBe("/v1/messages");
    const blocks = body.messages.at(-1).content;
    expect(blocks[0]).toMatchObject({ type: "text", text: inlined });
    expect(blocks[1]).toMatchObject({ type: "text", text: "![photo.png](photo.png):" });
    expect(blocks[2]).toMatchObject({ type: "image", source: { type: "base64", media_type: "image/png", data: png.toString("base64") } });
  });
});

describe("files the server must not read", () => {
  it("does not follow a file replaced by a link to a file outside the workspace", async () => {
    server = openaiServer();
    const { sessionId, workspace } = await sendWithFiles();
    rmSync(join(workspace, "notes.md"));
    symlinkSync("/etc/passwd", join(workspace, "notes.md"));
    const body = await step(sessionId);
    const sent = JSON.stringify(body.messages);
    expect(sent).not.toContain(readFileSync("/etc/passwd", "utf8").split("\n")[0]);
    expect(sent).toContain("Error reading file notes.md. Please check the file path.");
  });

  it("sends a file stored before the checks existed only if it is in the workspace", async () => {
    server = openaiServer();
    const created = await server.call("/api/v2/conversations/seeing", { method: "PUT", json: { prompt: "short" } });
    const sessionId = (await created.json()).session_id;
    await server.runtime.store.append("seeing", [
      { role: "user", content: "old message", timestamp: new Date().toISOString(), files: ["/etc/passwd", "/etc/hostname"] },
    ]);
    const sent = JSON.stringify((await step(sessionId)).messages);
    expect(sent).not.toContain(readFileSync("/etc/passwd", "utf8").split("\n")[0]);
    expect(sent).toContain("Error reading file /etc/passwd.");
  });

  it("inlines at most 1 MB of a text file, saying where it was cut", async () => {
    server = openaiServer();
    const { sessionId, workspace } = await sendWithFiles();
    writeFileSync(join(workspace, "notes.md"), "x".repeat(1024 * 1024 + 10));
    const user = (await step(sessionId)).messages.findLast((message: { role: string }) => message.role === "user");
    const text = user.content[0].text as string;
    expect(text).toContain(`[... cut at ${1024 * 1024} of ${1024 * 1024 + 10} bytes: read the rest with a tool]`);
    expect(text.length).toBeLessThan(1024 * 1024 + 500);
  });
});
