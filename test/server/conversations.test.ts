import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
beforeEach(() => {
  server = createTestServer();
});
afterEach(async () => {
  await server.close();
});

const put = (id: string, json: unknown = {}) => server.call(`/api/v2/conversations/${id}`, { method: "PUT", json });

describe("V2 conversations", () => {
  it("lists an empty store as a bare array", async () => {
    const response = await server.call("/api/v2/conversations");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  it("creates with the system prompt first (hidden, pinned), then the messages", async () => {
    const response = await put("first", {
      messages: [{ role: "user", content: "hello", timestamp: "2025-01-01T10:00:00.000Z" }],
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ status: "ok", conversation_id: "first" });
    expect(typeof body.session_id).toBe("string");

    const detail = await (await server.call("/api/v2/conversations/first")).json();
    expect(detail.id).toBe("first");
    expect(detail.log[0]).toMatchObject({ role: "system", hide: true, pinned: true });
    expect(detail.log.at(-1)).toEqual({ role: "user", content: "hello", timestamp: "2025-01-01T10:00:00.000Z" });
    expect(Object.keys(detail.branches)).toEqual(["main"]);
  });

  it("uses a custom prompt string as the first system message", async () => {
    await put("custom", { prompt: "You are an AI assistant for testing." });
    const detail = await (await server.call("/api/v2/conversations/custom")).json();
    expect(detail.log[0].content).toContain("testing");
  });

  it("round-trips every message field through PUT, POST and GET", async () => {
    const message = {
      role: "assistant",
      content: "done",
      timestamp: "2025-02-03T04:05:06.789Z",
      files: ["https://example.com/elsewhere.png"],
      pinned: true,
      hide: true,
      call_id: "call_1",
      metadata: { model: "openai/gpt-4o", input_tokens: 10, output_tokens: 5, cost: 0.001 },
    };
    await put("fields", { messages: [message] });
    const appended = { ...message, content: "again", call_id: "call_2" };
    expect((await server.call("/api/v2/conversations/fields", { method: "POST", json: appended })).status).toBe(200);
    const log = (await (await server.call("/api/v2/conversations/fields")).json()).log;
    expect(log.slice(-2)).toEqual([message, appended]);
  });

  it("lists newest first with gptme's fields and aliases", async () => {
    await put("older");
    await put("newer", { messages: [{ role: "user", content: "hi there" }] });
    const list = await (await server.call("/api/v2/conversations?limit=10")).json();
    expect(list.map((item: { id: string }) => item.id)).toEqual(["newer", "older"]);
    const [newest] = list;
    expect(newest).toMatchObject({ id: "newer", name: "newer", last_message_preview: "hi there", branches: 1 });
    expect(newest.messages).toBe(newest.message_count);
    expect(newest.modified).toBe(newest.last_updated);
    expect(typeof newest.created).toBe("number");
    expect(typeof newest.workspace).toBe("string");
  });

  it("paginates with cursors and searches with q", async () => {
    for (const id of ["alpha", "beta", "gamma"]) await put(id);
    const first = await (await server.call("/api/v2/conversations?paginated=1&limit=2")).json();
    expect(first.conversations.map((item: { id: string }) => item.id)).toEqual(["gamma", "beta"]);
    const second = await (
      await server.call(`/api/v2/conversations?paginated=1&limit=2&cursor=${encodeURIComponent(first.next_cursor)}`)
    ).json();
    expect(second.conversations.map((item: { id: string }) => item.id)).toEqual(["alpha"]);
    expect(second.next_cursor).toBeNull();
    const search = await (await server.call("/api/v2/conversations?q=ETA")).json();
    expect(search.map((item: { id: string }) => item.id)).toEqual(["beta"]);
  });

  it("answers 304 to a matching ETag, and a write by this or another process changes the list", async () => {
    await put("cached", { messages: [{ role: "user", content: "one" }] });
    const first = await server.call("/api/v2/conversations");
    const etag = first.headers.get("etag")!;
    expect(etag).toBeTruthy();
    expect((await server.call("/api/v2/conversations", { headers: { "if-none-match": etag } })).status).toBe(304);
    await server.call("/api/v2/conversations/cached", { method: "POST", json: { role: "user", content: "two" } });
    const second = await server.call("/api/v2/conversations", { headers: { "if-none-match": etag } });
    expect(second.status).toBe(200);
    expect((await second.json())[0].last_message_preview).toBe("two");

    const { SqliteConversationStore } = await import("../../runtime/store/sqlite/sqlite-store.js");
    const other = SqliteConversationStore.open(server.runtime.settings.databasePath);
    await other.append("cached", [{ role: "user", content: "three", timestamp: new Date().toISOString() }]);
    await other.close();
    expect((await (await server.call("/api/v2/conversations")).json())[0].last_message_preview).toBe("three");
  });

  it("deletes", async () => {
    await put("gone");
    expect((await server.call("/api/v2/conversations/gone", { method: "DELETE" })).status).toBe(200);
    expect((await server.call("/api/v2/conversations/gone")).status).toBe(404);
  });

  it("reads and merges the config, renaming through chat.name", async () => {
    await put("configured", { config: { chat: { model: "openai/gpt-4o", workspace: "." } } });
    const config = await (await server.call("/api/v2/conversations/configured/config")).json();
    expect(config.chat).toMatchObject({ model: "openai/gpt-4o", tool_format: "markdown", stream: true, workspace: server.workspace });
    expect(Array.isArray(config.chat.tools)).toBe(true);
    const patched = await server.call("/api/v2/conversations/configured/config", {
      method: "PATCH",
      json: { chat: { name: "Renamed", model: "anthropic/claude-sonnet-4-5" } },
    });
    expect(patched.status).toBe(200);
    expect((await patched.json()).config.chat).toMatchObject({ name: "Renamed", model: "anthropic/claude-sonnet-4-5" });
    const list = await (await server.call("/api/v2/conversations")).json();
    expect(list[0].name).toBe("Renamed");
  });

  it("gives an isolated workspace by default and the server's for '.'", async () => {
    await put("isolated");
    await put("shared", { config: { chat: { workspace: "." } } });
    const isolated = await (await server.call("/api/v2/conversations/isolated")).json();
    const shared = await (await server.call("/api/v2/conversations/shared")).json();
    expect(isolated.workspace).toContain("isolated");
    expect(shared.workspace).toBe(server.workspace);
  });
});

describe("V2 conversations: bad input", () => {
  it("answers 409 JSON for a duplicate PUT and keeps the first", async () => {
    await put("dup", { messages: [{ role: "user", content: "original" }] });
    const response = await put("dup", { messages: [{ role: "user", content: "other" }] });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: "Conversation already exists: dup" });
    const log = (await (await server.call("/api/v2/conversations/dup")).json()).log;
    expect(log.at(-1).content).toBe("original");
  });

  it("answers 400 for malformed JSON on every body route", async () => {
    await put("exists");
    for (const [method, path] of [
      ["PUT", "/api/v2/conversations/new-one"],
      ["POST", "/api/v2/conversations/exists"],
      ["PATCH", "/api/v2/conversations/exists/config"],
      ["POST", "/api/v2/conversations/exists/step"],
      ["POST", "/api/v2/conversations/exists/tool/confirm"],
    ] as const) {
      const response = await server.call(path, { method, body: "{not json", headers: { "content-type": "application/json" } });
      expect(response.status, `${method} ${path}`).toBe(400);
      expect(await response.json()).toEqual({ error: "Malformed JSON in request body" });
    }
  });

  it("answers 400 with readable messages for wrong types", async () => {
    const response = await put("typed", { messages: [{ role: "user", content: 42 }] });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error).toMatch(/messages\[0\]\.content/);
    expect(error).not.toMatch(/ZodError|at .*\.ts/);
    expect((await put("roles", { messages: [{ role: "robot", content: "x" }] })).status).toBe(400);
    expect((await put("arrays", [1, 2])).status).toBe(400);
    expect((await put("auto", { auto_confirm: "yes" })).status).toBe(400);
    expect((await server.call("/api/v2/conversations/typed")).status).toBe(404);
    await put("model-type");
    const model = await server.call("/api/v2/conversations/model-type/config", { method: "PATCH", json: { chat: { model: 5 } } });
    expect(model.status).toBe(400);
    expect((await model.json()).error).toContain("model must be a string");
  });

  it("rejects traversal and oversized ids on every route", async () => {
    for (const id of ["..", "a..b", "%2e%2e%2fetc", "a%5Cb", "x%00y", "a".repeat(256)]) {
      for (const [method, suffix] of [["GET", ""], ["PUT", ""], ["POST", ""], ["DELETE", ""], ["GET", "/config"]] as const) {
        const response = await server.call(`/api/v2/conversations/${id}${suffix}`, {
          method,
          ...(method === "PUT" || method === "POST" ? { json: { role: "user", content: "x" } } : {}),
        });
        // `..` is resolved by URL parsing before routing: it never names a conversation
        // (`/api/v2/conversations/../config` is `/api/v2/config`, the project's agent config).
        if (id === ".." && suffix === "/config") {
          expect(Object.keys(await response.json())).toEqual(["agent"]);
          continue;
        }
        expect(id === ".." ? [400, 404, 405] : [400, 404], `${method} ${id}${suffix}`).toContain(response.status);
        expect((await response.json()).error).toBeTruthy();
      }
    }
    const response = await server.call("/api/v2/conversations/a..b");
    expect(await response.json()).toEqual({ error: "Invalid conversation_id" });
    // gptme's own message past the byte limit.
    expect(await (await server.call(`/api/v2/conversations/${"a".repeat(256)}`)).json()).toEqual({ error: "conversation_id too long" });
    await server.call("/api/v2/conversations/long-branch", { method: "PUT", json: {} });
    const branch = await server.call("/api/v2/conversations/long-branch", { method: "POST", json: { role: "user", content: "x", branch: "b".repeat(250) } });
    expect(branch.status).toBe(400);
    expect(await branch.json()).toEqual({ error: "branch name too long" });
  });

  it("answers 404 JSON for a missing conversation", async () => {
    for (const [method, path] of [
      ["GET", "/api/v2/conversations/missing"],
      ["POST", "/api/v2/conversations/missing"],
      ["DELETE", "/api/v2/conversations/missing"],
      ["GET", "/api/v2/conversations/missing/config"],
      ["PATCH", "/api/v2/conversations/missing/config"],
    ] as const) {
      const response = await server.call(path, { method, ...(method === "POST" || method === "PATCH" ? { json: method === "POST" ? { role: "user", content: "x" } : { chat: {} } } : {}) });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect((await response.json()).error).toMatch(/not found/i);
    }
  });

  it("answers 413 for a body over the limit, before touching the store", async () => {
    const small = createTestServer({ bodyLimitBytes: 1024 });
    try {
      const response = await small.call("/api/v2/conversations/big", {
        method: "PUT",
        json: { messages: [{ role: "user", content: "x".repeat(4096) }] },
      });
      expect(response.status).toBe(413);
      expect((await response.json()).error).toMatch(/too large/);
      expect((await small.call("/api/v2/conversations/big")).status).toBe(404);
    } finally {
      await small.close();
    }
  });

  it("validates limit and cursor", async () => {
    expect((await server.call("/api/v2/conversations?limit=abc")).status).toBe(400);
    expect((await server.call("/api/v2/conversations?limit=0")).status).toBe(400);
    expect((await server.call("/api/v2/conversations?limit=5000")).status).toBe(200);
    expect((await server.call("/api/v2/conversations?paginated=1&cursor=nope")).status).toBe(400);
  });

  it("answers unknown routes 404 JSON and wrong methods 405 JSON", async () => {
    const unknown = await server.call("/api/v2/nothing-here");
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toBeTruthy();
    const wrong = await server.call("/api/v2/conversations", { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect((await wrong.json()).error).toMatch(/not allowed/);
    const v2 = await server.call("/api/v2", { method: "POST", json: {} });
    expect(v2.status).toBe(405);
  });

  it("rejects a bad branch and an unknown branch", async () => {
    await put("branchy");
    const bad = await server.call("/api/v2/conversations/branchy", { method: "POST", json: { role: "user", content: "x", branch: "../x" } });
    expect(bad.status).toBe(400);
    const unknown = await server.call("/api/v2/conversations/branchy", { method: "POST", json: { role: "user", content: "x", branch: "other" } });
    expect(unknown.status).toBe(404);
  });
});
