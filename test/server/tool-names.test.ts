/** Tool lists in a message or a config PATCH name real tools, else 400 (gptme's `init_tools` check). */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
beforeEach(async () => {
  server = createTestServer();
  await server.call("/api/v2/conversations/tools", { method: "PUT", json: {} });
});
afterEach(async () => {
  await server.close();
});

const post = (json: unknown) => server.call("/api/v2/conversations/tools", { method: "POST", json });
const patch = (json: unknown) => server.call("/api/v2/conversations/tools/config", { method: "PATCH", json });
const log = async () => (await (await server.call("/api/v2/conversations/tools")).json()).log as Array<{ content: string }>;

describe("tools in a posted message", () => {
  it("answers 400 naming an unknown tool, and stores nothing", async () => {
    const before = (await log()).length;
    const response = await post({ role: "user", content: "hi", tools: ["shell", "definitely-not-a-real-tool"] });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toContain("Tool 'definitely-not-a-real-tool' not found");
    expect(await log()).toHaveLength(before);
  });

  it("answers gptme's message to a tools value that is not a list of strings", async () => {
    for (const tools of ["bash", ["shell", 123], { name: "shell" }]) {
      const response = await post({ role: "user", content: "hi", tools });
      expect(await response.json(), JSON.stringify(tools)).toEqual({ error: "tools must be a list of strings" });
    }
  });

  it("accepts real tools, globs and gptme's +/- forms", async () => {
    for (const tools of [["shell", "save"], ["sa*"], ["+read"], ["-tmux"], ["none"]]) {
      expect((await post({ role: "user", content: "hi", tools })).status, JSON.stringify(tools)).toBe(200);
    }
    expect((await post({ role: "user", content: "hi", tools: ["+read", "-shell"] })).status).toBe(400);
  });
});

describe("tools in a config PATCH", () => {
  it("answers 400 to an unknown tool and keeps the stored config", async () => {
    const before = await (await server.call("/api/v2/conversations/tools/config")).json();
    const response = await patch({ chat: { tools: ["shell", "nope"] } });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toContain("Tool 'nope' not found");
    expect(await (await server.call("/api/v2/conversations/tools/config")).json()).toEqual(before);
  });

  it("applies a list of real tools", async () => {
    const response = await patch({ chat: { tools: ["shell", "save"] } });
    expect(response.status).toBe(200);
    expect((await response.json()).tools).toEqual(["shell", "save"]);
  });

  it("keeps PUT lenient, as gptme: a stored config may name tools this server lacks", async () => {
    const response = await server.call("/api/v2/conversations/lenient", {
      method: "PUT",
      json: { config: { chat: { tools: ["shell", "browser"] } } },
    });
    expect(response.status).toBe(200);
  });
});
