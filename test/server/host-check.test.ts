/**
 * The Host check against DNS rebinding (gptme's `tests/test_server_host_validation.py`, applied on
 * every loopback bind): through `app.request`, and on a real port through the Node adapter.
 */
import { request as httpRequest } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../adapters/node/serve.js";
import { parseServerOptions } from "../../runtime/config/server-options.js";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

const servers: TestServer[] = [];
function server(options: Parameters<typeof createTestServer>[0] = {}) {
  const created = createTestServer(options);
  servers.push(created);
  return created;
}
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

const withHost = (app: TestServer, host: string, path = "/api/v2/conversations") => app.call(path, { headers: { host } });

describe("the Host check on a loopback bind", () => {
  it("accepts localhost, 127.0.0.1 and [::1] on any port, and the absolute-DNS forms", async () => {
    const app = server();
    for (const host of ["localhost", "localhost:5700", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:5700", "LOCALHOST:80", "localhost.", "localhost.:5700"]) {
      expect((await withHost(app, host)).status, host).toBe(200);
    }
  });

  it("refuses any other name with 403 JSON naming it and the flag, before auth and on every path", async () => {
    const app = server();
    for (const path of ["/api/v2/conversations", "/", "/health", "/api/v2", "/api/docs/"]) {
      const response = await withHost(app, "attacker.example:5700", path);
      expect(response.status, path).toBe(403);
      const { error } = await response.json();
      expect(error).toContain("attacker.example");
      expect(error).toContain("--allowed-hosts attacker.example");
    }
    expect((await withHost(app, "localhost.attacker.example")).status).toBe(403);
    expect((await withHost(app, "127.0.0.1.nip.io")).status).toBe(403);
    expect((await withHost(app, "[::2]:5700")).status).toBe(403);
  });

  it("applies with auth off too (gptme checks only then)", async () => {
    const app = server({ authToken: null });
    expect((await withHost(app, "attacker.example")).status).toBe(403);
    expect((await withHost(app, "127.0.0.1:5700")).status).toBe(200);
  });

  it("extends the list with --allowed-hosts (any port, either dot form), and allows the bind address", async () => {
    const app = server({ allowedHosts: ["gptme.local."] });
    for (const host of ["gptme.local", "gptme.local:8080", "gptme.local.", "localhost"]) {
      expect((await withHost(app, host)).status, host).toBe(200);
    }
    expect((await withHost(app, "attacker.example")).status).toBe(403);
    const bound = server({ bindHost: "127.0.0.2" });
    expect((await withHost(bound, "127.0.0.2:5700")).status).toBe(200);
    expect((await withHost(bound, "attacker.example")).status).toBe(403);
  });

  it("is off on a network bind unless --allowed-hosts is given", async () => {
    const open = server({ bindHost: "0.0.0.0" });
    expect((await withHost(open, "gptme.example.com")).status).toBe(200);
    expect((await open.call("/api/v2/conversations", { auth: false, headers: { host: "gptme.example.com" } })).status).toBe(401);
    const listed = server({ bindHost: "0.0.0.0", allowedHosts: ["ingress.internal"] });
    expect((await withHost(listed, "ingress.internal")).status).toBe(200);
    expect((await withHost(listed, "attacker.example")).status).toBe(403);
  });
});

describe("--allowed-hosts", () => {
  it("comes from the flag or GPTME_SERVER_ALLOWED_HOSTS, comma-separated", () => {
    expect(parseServerOptions(["--allowed-hosts", "a.local, b.local,"], {}).allowedHosts).toEqual(["a.local", "b.local"]);
    expect(parseServerOptions([], { GPTME_SERVER_ALLOWED_HOSTS: "c.local" }).allowedHosts).toEqual(["c.local"]);
    expect(parseServerOptions([], {}).allowedHosts).toEqual([]);
  });
});

describe("the Host check on a real port", () => {
  let running: RunningServer | undefined;
  let directory: string | undefined;
  afterEach(async () => {
    await running?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  function get(port: number, host: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest({ host: "127.0.0.1", port, path: "/api/v2/conversations", headers: { host, authorization: "Bearer host-token" } }, (incoming) => {
        let body = "";
        incoming.on("data", (chunk: Buffer) => (body += chunk.toString()));
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, body }));
      });
      outgoing.on("error", reject);
      outgoing.end();
    });
  }

  it("refuses a rebound name and serves the ones given with --allowed-hosts", async () => {
    directory = mkdtempSync(join(tmpdir(), "gptme-host-"));
    const env = { HOME: directory, PATH: process.env.PATH, XDG_DATA_HOME: join(directory, "data"), GPTME_SERVER_TOKEN: "host-token" };
    const options = parseServerOptions(["--port", "0", "--workspace", directory], { GPTME_SERVER_ALLOWED_HOSTS: "gptme.local" });
    running = await startServer(options, env);
    const rebound = await get(running.port, `attacker.example:${running.port}`);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error).toContain("--allowed-hosts attacker.example");
    expect((await get(running.port, `gptme.local:${running.port}`)).status).toBe(200);
    expect((await get(running.port, `127.0.0.1:${running.port}`)).status).toBe(200);
  });
});
