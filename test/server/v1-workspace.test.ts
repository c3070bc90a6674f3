import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { SseReader } from "../support/sse-client.js";
import { createModelBackedServer, createTestServer, type TestServer } from "../support/test-runtime.js";

let model: FakeModelServer;
let server: TestServer;
beforeAll(async () => {
  model = await startFakeModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(() => {
  model.reset();
  server = createModelBackedServer(model.openaiBaseURL);
});
afterEach(async () => {
  await server.close();
});

describe("V1 API", () => {
  it("creates, appends, lists and reads like gptme v0.31", async () => {
    expect((await server.call("/api/conversations/test-server-1", { method: "PUT", json: {} })).status).toBe(200);
    expect((await server.call("/api/conversations/test-server-1", { method: "POST", json: { role: "user", content: "hello" } })).status).toBe(200);
    const list = await (await server.call("/api/conversations")).json();
    expect(list.map((item: { id: string }) => item.id)).toContain("test-server-1");
    const detail = await (await server.call("/api/conversations/test-server-1")).json();
    expect(detail.log.at(-1)).toMatchObject({ role: "user", content: "hello" });
    expect(typeof detail.workspace).toBe("string");
  });

  it("answers errors with status codes, not 200 or 500", async () => {
    expect((await server.call("/api/conversations/missing")).status).toBe(404);
    expect((await server.call("/api/conversations/missing/generate", { method: "POST", json: {} })).status).toBe(404);
    await server.call("/api/conversations/dup", { method: "PUT", json: {} });
    expect((await server.call("/api/conversations/dup", { method: "PUT", json: {} })).status).toBe(409);
    expect((await server.call("/api/conversations/dup", { method: "POST", json: { role: "user" } })).status).toBe(400);
  });

  it("generates without streaming: the stored messages as a list, tools auto-confirmed", async () => {
    await server.call("/api/conversations/gen", { method: "PUT", json: { messages: [{ role: "user", content: "make a file" }] } });
    model.enqueue({ text: "Saving.\n```save made.txt\ncontent\n```\n" }, { text: "Made it." });
    const response = await server.call("/api/conversations/gen/generate", { method: "POST", json: {} });
    expect(response.status).toBe(200);
    const messages = await response.json();
    expect(messages.map((message: { role: string }) => message.role)).toEqual(["assistant", "system", "assistant"]);
    expect(messages[0]).toMatchObject({ stored: true });
    expect(messages[2].content).toBe("Made it.");
  });

  it("generates as a stream of data: chunks", async () => {
    await server.call("/api/conversations/streamed", { method: "PUT", json: { messages: [{ role: "user", content: "hi" }] } });
    model.enqueue({ text: "Hello there", chunkSize: 2 });
    const response = await server.call("/api/conversations/streamed/generate", { method: "POST", json: { stream: true } });
    expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
    const text = await response.text();
    const chunks = text.split("\n\n").filter(Boolean);
    for (const chunk of chunks) expect(chunk.startsWith("data: ")).toBe(true);
    const payloads = chunks.map((chunk) => JSON.parse(chunk.slice(6)));
    expect(payloads.filter((payload) => !payload.stored).map((payload) => payload.content).join("")).toBe("Hello there");
    expect(payloads.at(-1)).toMatchObject({ role: "assistant", content: "Hello there", stored: true });
  });

  it("answers a V1 generate without a provider with a clear error", async () => {
    const bare = createTestServer();
    try {
      await bare.call("/api/conversations/nokey", { method: "PUT", json: {} });
      const response = await bare.call("/api/conversations/nokey/generate", { method: "POST", json: {} });
      expect(response.status).toBe(503);
      expect((await response.json()).error).toMatch(/ANTHROPIC_API_KEY/);
    } finally {
      await bare.close();
    }
  });
});

describe("workspace and files", () => {
  async function withFiles() {
    await server.call("/api/v2/conversations/files", { method: "PUT", json: {} });
    const workspace = (await (await server.call("/api/v2/conversations/files")).json()).workspace as string;
    mkdirSync(join(workspace, "src"));
    writeFileSync(join(workspace, "README.md"), "# Title\n");
    writeFileSync(join(workspace, ".hidden"), "secret");
    writeFileSync(join(workspace, "src", "main.py"), "print('hi')\n");
    writeFileSync(join(workspace, "image.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
    writeFileSync(join(workspace, "blob.bin"), Buffer.from([0, 1, 2, 3, 255]));
    writeFileSync(join(server.directory, "outside.txt"), "outside");
    symlinkSync(join(server.directory, "outside.txt"), join(workspace, "escape.txt"));
    return workspace;
  }

  it("lists dirs first, hides dotfiles unless asked, previews text, images and binaries", async () => {
    await withFiles();
    const entries = await (await server.call("/api/v2/conversations/files/workspace")).json();
    expect(entries[0]).toMatchObject({ name: "src", type: "directory" });
    expect(entries.map((entry: { name: string }) => entry.name)).not.toContain(".hidden");
    const hidden = await (await server.call("/api/v2/conversations/files/workspace?show_hidden=true")).json();
    expect(hidden.map((entry: { name: string }) => entry.name)).toContain(".hidden");
    const inner = await (await server.call("/api/v2/conversations/files/workspace/src")).json();
    expect(inner).toEqual([expect.objectContaining({ name: "main.py", path: "src/main.py", type: "file", mime_type: "text/x-python" })]);
    expect(await (await server.call("/api/v2/conversations/files/workspace/README.md/preview")).json()).toEqual({ type: "text", content: "# Title\n" });
    const image = await server.call("/api/v2/conversations/files/workspace/image.png/preview");
    expect(image.headers.get("content-type")).toBe("image/png");
    expect((await (await server.call("/api/v2/conversations/files/workspace/blob.bin/preview")).json()).type).toBe("binary");
    const file = await server.call("/api/v2/conversations/files/files/src/main.py");
    expect(await file.text()).toBe("print('hi')\n");
    const v1 = await server.call("/api/conversations/files/files/README.md");
    expect(await v1.text()).toBe("# Title\n");
  });

  it("refuses traversal and symlink escapes, and 404s what is not there", async () => {
    await withFiles();
    for (const path of [
      "/api/v2/conversations/files/workspace/escape.txt/preview",
      "/api/v2/conversations/files/files/escape.txt",
      "/api/v2/conversations/files/files/%2E%2E%2F%2E%2E%2Foutside.txt",
      "/api/conversations/files/files/..%2F..%2F..%2Foutside.txt",
    ]) {
      const response = await server.call(path);
      expect([400, 403, 404], path).toContain(response.status);
      expect(await response.text()).not.toContain("outside");
    }
    expect((await server.call("/api/v2/conversations/files/workspace/nope.txt")).status).toBe(404);
    expect((await server.call("/api/v2/conversations/files/workspace/src/preview")).status).toBe(404);
    expect((await server.call("/api/v2/conversations/missing/workspace")).status).toBe(404);
  });
});

describe("what the web client asks on every load", () => {
  it("answers tasks and models", async () => {
    expect(await (await server.call("/api/v2/tasks")).json()).toEqual({ tasks: [] });
    const models = await (await server.call("/api/v2/models")).json();
    expect(models.default).toBe("local/fake");
  });

  it("treats an empty model as the default and '.' as the default workspace", async () => {
    const put = await server.call("/api/v2/conversations/chat-2025-01-01T00-00-00-000Z", {
      method: "PUT",
      json: { messages: [{ role: "user", content: "hi", timestamp: new Date().toISOString() }], config: { chat: { model: "", stream: true, workspace: "." } } },
    });
    const sessionId = (await put.json()).session_id;
    const config = await (await server.call("/api/v2/conversations/chat-2025-01-01T00-00-00-000Z/config")).json();
    expect(config.chat.workspace).toBe(server.workspace);
    expect(config.chat.model).toBeUndefined();
    const events = new SseReader(await server.call(`/api/v2/conversations/chat-2025-01-01T00-00-00-000Z/events?session_id=${sessionId}`));
    await events.nextType("connected");
    model.enqueue({ text: "Hello!" });
    const step = await server.call("/api/v2/conversations/chat-2025-01-01T00-00-00-000Z/step", {
      method: "POST",
      json: { session_id: sessionId, branch: "main", stream: true },
    });
    expect(step.status).toBe(200);
    await events.nextType("generation_complete");
    await events.close();
  });
});
