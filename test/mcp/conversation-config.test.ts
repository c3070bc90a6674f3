/** A conversation's `config.mcp` over HTTP: stored as given when valid, refused with the key named when not. */
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
const patch = (id: string, json: unknown) => server.call(`/api/v2/conversations/${id}/config`, { method: "PATCH", json });
const config = async (id: string) => (await (await server.call(`/api/v2/conversations/${id}/config`)).json()) as { mcp?: unknown };

describe("config.mcp", () => {
  it("is absent on a new conversation, so the user's and the workspace's [mcp] apply", async () => {
    await put("fresh");
    expect((await config("fresh")).mcp).toBeUndefined();
  });

  it("stores what gptme's web client sends", async () => {
    await put("set");
    const mcp = { enabled: true, auto_start: false, servers: [{ name: "files", enabled: true, command: "npx", args: ["-y", "x"], env: { A: "1" } }] };
    const response = await patch("set", { mcp });
    expect(response.status).toBe(200);
    expect((await config("set")).mcp).toEqual(mcp);
  });

  it.each([
    [{ servers: [{ name: "my server", command: "x" }] }, "conversation config: mcp.servers[0].name: must start with a letter"],
    [{ servers: [{ name: "s", args: "x", command: "y" }] }, "conversation config: mcp.servers[0].args: "],
    [{ servers: [{ name: "s" }] }, 'conversation config: mcp.servers[0] ("s"): needs `command` (a stdio server) or `url` (an HTTP server)'],
    [{ enabled: "yes" }, "conversation config: mcp.enabled: "],
  ])("refuses %j with 400 naming the key", async (mcp, message) => {
    await put("bad");
    const response = await patch("bad", { mcp });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string };
    expect(body.error).toContain(message);
    expect((await config("bad")).mcp).toBeUndefined();
    const created = await put("bad-at-create", { config: { mcp } });
    expect(created.status).toBe(400);
    expect(((await created.json()) as { error: string }).error).toContain(message);
  });
});
