import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
beforeAll(() => {
  server = createTestServer();
});
afterAll(async () => {
  await server.close();
});

const query = (body: unknown, init: RequestInit = {}) =>
  server.call("/api/v2/tools", { method: "QUERY", body: JSON.stringify(body), headers: { "content-type": "application/json" }, ...init });

describe("GET /api/v2/tools", () => {
  it("lists every built-in tool with gptme's descriptor fields", async () => {
    const response = await server.call("/api/v2/tools");
    expect(response.status).toBe(200);
    const { tools } = await response.json();
    const names = tools.map((tool: { name: string }) => tool.name);
    expect(names).toEqual(expect.arrayContaining(["shell", "save", "append", "patch", "read"]));
    const save = tools.find((tool: { name: string }) => tool.name === "save");
    expect(Object.keys(save).sort()).toEqual(
      ["block_types", "desc", "disabled_by_default", "instructions", "is_available", "is_mcp", "name", "parameters"],
    );
    expect(save).toMatchObject({ is_mcp: false, is_available: true, disabled_by_default: false, block_types: ["save"] });
    expect(save.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "path", type: "string", required: true })]),
    );
    expect(tools.find((tool: { name: string }) => tool.name === "read").disabled_by_default).toBe(true);
  });

  it("needs the token, and is in the OpenAPI document (QUERY is not)", async () => {
    expect((await server.call("/api/v2/tools", { auth: false })).status).toBe(401);
    expect((await server.call("/api/v2/tools", { method: "QUERY", auth: false })).status).toBe(401);
    const document = await (await server.call("/api/docs/openapi.json")).json();
    expect(Object.keys(document.paths["/api/v2/tools"])).toEqual(["get"]);
  });
});

describe("QUERY /api/v2/tools", () => {
  it("filters (ANDed) and projects", async () => {
    const byName = await query({ filters: [{ field: "name", op: "eq", value: "shell" }], fields: ["name", "block_types"] });
    expect(byName.status).toBe(200);
    expect(await byName.json()).toEqual({ tools: [{ name: "shell", block_types: ["shell"] }] });

    const both = await (await query({
      filters: [
        { field: "block_types", op: "in", value: ["save", "append", "shell"] },
        { field: "name", op: "neq", value: "shell" },
      ],
      fields: ["name"],
    })).json();
    expect(both.tools.map((tool: { name: string }) => tool.name).sort()).toEqual(["append", "save"]);

    const contains = await (await query({ filters: [{ field: "desc", op: "contains", value: "FILE" }], fields: ["name"] })).json();
    expect(contains.tools.length).toBeGreaterThan(0);

    const regex = await (await query({ filters: [{ field: "name", op: "regex", value: "^(sa|ap)" }], fields: ["name"] })).json();
    expect(regex.tools.map((tool: { name: string }) => tool.name).sort()).toEqual(["append", "save"]);

    const notDefault = await (await query({ filters: [{ field: "disabled_by_default", op: "eq", value: true }], fields: ["name"] })).json();
    expect(notDefault.tools).toEqual([{ name: "read" }]);

    const all = await (await query({})).json();
    expect(all.tools.length).toBe((await (await server.call("/api/v2/tools")).json()).tools.length);
  });

  it("answers 400 with gptme's messages for unknown fields, wrong value types and bad patterns", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ filters: [{ field: "description", op: "eq", value: "x" }] }, /^Unknown filter field: 'description'/],
      [{ filters: [{ field: "is_available", op: "eq", value: "false" }] }, /requires a boolean value, got 'str'/],
      [{ filters: [{ field: "name", op: "regex", value: "[invalid" }] }, /^Invalid regex pattern/],
      [{ filters: [{ field: "name", op: "regex", value: "a".repeat(201) }] }, /^Regex pattern too long/],
      [{ fields: ["schema", "tags"] }, /^Unknown projection field\(s\): \['schema', 'tags'\]/],
      [{ filters: [{ field: "name", op: "UNKNOWN_OP", value: "x" }] }, /op/],
      [{ filters: "nope" }, /filters must be a list/],
    ];
    for (const [body, message] of cases) {
      const response = await query(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await response.json()).error).toMatch(message);
    }
    const malformed = await server.call("/api/v2/tools", { method: "QUERY", body: "{bad", headers: { "content-type": "application/json" } });
    expect(malformed.status).toBe(400);
  });

  it("stops a catastrophically backtracking pattern and keeps serving", async () => {
    // (.*.*)*\u0000 never matches and backtracks exponentially: minutes on 30 characters in a plain RegExp.
    const started = Date.now();
    const attack = query({ filters: [{ field: "instructions", op: "regex", value: "(.*.*)*\\u0000" }] });
    const meanwhile = await server.call("/api/v2/tools");
    expect(meanwhile.status).toBe(200);
    const response = await attack;
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/took longer than/);
    expect(Date.now() - started).toBeLessThan(60_000);
    const after = await query({ filters: [{ field: "name", op: "regex", value: "^shell$" }], fields: ["name"] });
    expect(await after.json()).toEqual({ tools: [{ name: "shell" }] });
  });

  it("refuses an oversized body", async () => {
    const small = createTestServer({ bodyLimitBytes: 1024 });
    try {
      const response = await small.call("/api/v2/tools", {
        method: "QUERY",
        body: JSON.stringify({ filters: [{ field: "name", op: "eq", value: "x".repeat(4096) }] }),
        headers: { "content-type": "application/json" },
      });
      expect(response.status).toBe(413);
    } finally {
      await small.close();
    }
  });
});
