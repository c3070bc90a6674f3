import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
beforeAll(async () => {
  server = createTestServer({ bodyLimitBytes: 2048 });
  await server.call("/api/v2/conversations/exists", { method: "PUT", json: {} });
});
afterAll(async () => {
  await server.close();
});

/** Every registered API route with an `:id`, as [method, path with `ID` where the id goes]. */
function conversationRoutes(): Array<[string, string]> {
  return server.app.routes
    .filter((route) => route.method !== "ALL" && route.path.includes(":id"))
    .map((route) => [route.method, route.path.replace(":id", "ID").replace(/:path\{[^}]*\}/, "a.txt").replace(/:index\{[^}]*\}/, "0")] as [string, string]);
}

const hasBody = (method: string) => method === "POST" || method === "PUT" || method === "PATCH";

describe("bad input on every conversation route", () => {
  it("covers the routes it claims to", () => {
    expect(conversationRoutes().length).toBeGreaterThanOrEqual(18);
  });

  it("rejects traversal ids with a JSON 400/404, never touching another conversation", async () => {
    for (const [method, path] of conversationRoutes()) {
      for (const id of ["a..b", "%2e%2e%2fexists", "a%5Cb", "x%00y", "a".repeat(256)]) {
        const response = await server.call(path.replace("ID", id), { method, ...(hasBody(method) ? { json: {} } : {}) });
        expect([400, 404], `${method} ${path} ${id}`).toContain(response.status);
        expect((await response.json()).error, `${method} ${path} ${id}`).toBeTruthy();
      }
    }
  });

  it("answers 404 JSON for a missing conversation", async () => {
    for (const [method, path] of conversationRoutes()) {
      // PUT creates a conversation, and so does gptme's voice transcript route (out of scope here: 400/501).
      if (method === "PUT" || path.endsWith("/transcript")) continue;
      const body = path.endsWith("/step") || path.endsWith("/interrupt") || path.endsWith("/rerun") ? { session_id: "s" } : path.endsWith("/confirm") ? { tool_id: "t", action: "confirm" } : path.endsWith("ID") && method === "POST" ? { role: "user", content: "x" } : path.includes("/messages/") ? { content: "x" } : {};
      const query = path.endsWith("/fork") ? "?after_message=0" : "";
      const response = await server.call(path.replace("ID", "missing") + query, { method, ...(hasBody(method) ? { json: body } : {}) });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect((await response.json()).error, `${method} ${path}`).toBeTruthy();
    }
  });

  it("answers 400 JSON to malformed JSON and 413 to an oversized body on every body route", async () => {
    for (const [method, path] of conversationRoutes().filter(([method]) => hasBody(method))) {
      const url = path.replace("ID", "exists");
      const malformed = await server.call(url, { method, body: "{oops", headers: { "content-type": "application/json" } });
      expect(malformed.status, `${method} ${path}`).toBe(400);
      expect(await malformed.json()).toEqual({ error: "Malformed JSON in request body" });
      const oversized = await server.call(url, { method, json: { content: "x".repeat(4096) } });
      expect(oversized.status, `${method} ${path}`).toBe(413);
      const wrongType = await server.call(url, { method, json: { role: 5, content: [], session_id: 7, tool_id: 1, action: 2, chat: "x", messages: "no", stream: "yes", model: 5 } });
      expect([400, 409], `${method} ${path}`).toContain(wrongType.status);
      expect((await wrongType.json()).error).not.toMatch(/\n\s+at /);
    }
    const log = (await (await server.call("/api/v2/conversations/exists")).json()).log;
    expect(log.every((message: { role: string }) => message.role === "system")).toBe(true);
  });
});
