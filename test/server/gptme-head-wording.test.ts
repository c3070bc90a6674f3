/** Answers gptme HEAD's own server tests check word for word (found by running them over HTTP). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
let sessionId: string;
beforeAll(async () => {
  server = createTestServer();
  const created = await server.call("/api/v2/conversations/wording", { method: "PUT", json: { messages: [{ role: "user", content: "hi" }] } });
  sessionId = ((await created.json()) as { session_id: string }).session_id;
});
afterAll(async () => {
  await server.close();
});

describe("gptme HEAD's wording", () => {
  it("reports a bad id in the path alone, before what the body lacks", async () => {
    for (const id of ["test\\..\\..\\secret", "..\\..\\etc\\passwd"]) {
      const response = await server.call(`/api/v2/conversations/${encodeURIComponent(id)}/rerun`, { method: "POST" });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: "Invalid conversation_id" });
    }
  });

  it("words a non-object body of the agents and tasks routes as gptme's modules do", async () => {
    for (const [method, path] of [
      ["PUT", "/api/v2/agents"],
      ["POST", "/api/v2/tasks"],
      ["PUT", "/api/v2/tasks/some-task"],
    ] as const) {
      for (const body of [[], [1, 2], "text", 42]) {
        const response = await server.call(path, { method, json: body });
        expect(response.status, `${method} ${path}`).toBe(400);
        expect(await response.json()).toEqual({ error: "Request body must be a JSON object" });
      }
    }
    const other = await server.call("/api/v2/conversations/wording", { method: "POST", json: [] });
    expect(await other.json()).toEqual({ error: "JSON body must be an object" });
  });

  it("names a workspace that is not a string", async () => {
    for (const workspace of [[], 42, { path: "~/tmp" }]) {
      const response = await server.call("/api/v2/conversations/wording/config", { method: "PATCH", json: { chat: { workspace } } });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: "chat.workspace must be a string path" });
    }
  });

  it("checks use_acp on step, and says ACP is not supported here", async () => {
    const step = (body: Record<string, unknown>) => server.call("/api/v2/conversations/wording/step", { method: "POST", json: { session_id: sessionId, ...body } });
    const wrongType = await step({ use_acp: "true" });
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toEqual({ error: "use_acp must be a boolean" });
    const acp = await step({ use_acp: true });
    expect(acp.status).toBe(501);
    expect((await acp.json()).error).toMatch(/^use_acp is not supported/);
  });
});
