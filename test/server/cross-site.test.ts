/**
 * Cross-site requests, as a foreign page would make a signed-in browser send them: simple form
 * encodings, the ambient cookie from another port of the same host, Origin and Sec-Fetch-Site.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { createModelBackedServer, createTestServer, testToken, type TestServer } from "../support/test-runtime.js";

let model: FakeModelServer;
let server: TestServer;
const extraServers: TestServer[] = [];

beforeAll(async () => {
  model = await startFakeModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(async () => {
  model.reset();
  server = createModelBackedServer(model.openaiBaseURL, { corsOrigins: ["http://localhost:5701"] });
  expect((await server.call("/api/v2/conversations/target", { method: "PUT", json: {} })).status).toBe(200);
});
afterEach(async () => {
  await server.close();
  while (extraServers.length) await extraServers.pop()!.close();
});

async function signIn(on: TestServer = server): Promise<string> {
  const response = await on.call("/api/v2/auth/cookie", { method: "POST" });
  expect(response.status).toBe(200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0]!;
}

async function storedLog(on: TestServer = server): Promise<Array<{ role: string; content: string }>> {
  return (await (await on.call("/api/v2/conversations/target")).json()).log;
}

describe("the gptme_auth cookie", () => {
  it("is HttpOnly, SameSite=Strict, and holds a session id instead of the token", async () => {
    const response = await server.call("/api/v2/auth/cookie", { method: "POST" });
    const header = response.headers.get("set-cookie") ?? "";
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Strict/);
    expect(header).toMatch(/Path=\/api\//);
    const value = /gptme_auth=([^;]*)/.exec(header)![1]!;
    expect(value.length).toBeGreaterThanOrEqual(32);
    expect(value).not.toContain(testToken);
    expect(await signIn()).not.toBe(`gptme_auth=${value}`);
  });

  it("no longer accepts the raw token as the cookie", async () => {
    const response = await server.call("/api/v2/conversations", { auth: false, headers: { cookie: `gptme_auth=${testToken}` } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "Invalid or expired session: sign in again" });
    // A stale cookie does not hide a valid ?token= (EventSource in gptme's web client).
    const query = await server.call(`/api/v2/conversations?token=${testToken}`, { auth: false, headers: { cookie: `gptme_auth=${testToken}` } });
    expect(query.status).toBe(200);
  });

  it("is revoked by DELETE /api/v2/auth/cookie, which reads no body", async () => {
    const cookie = await signIn();
    const other = await signIn();
    expect((await server.call("/api/v2/conversations", { auth: false, headers: { cookie } })).status).toBe(200);
    const signOut = await server.call("/api/v2/auth/cookie", {
      method: "DELETE",
      auth: false,
      headers: { cookie, "content-type": "text/plain" },
      body: "{oops" + "x".repeat(20 * 1024 * 1024),
    });
    expect(signOut.status).toBe(200);
    expect(signOut.headers.get("set-cookie")).toMatch(/gptme_auth=;.*Max-Age=0/);
    // The browser may keep the old value; the server no longer honours it.
    expect((await server.call("/api/v2/conversations", { auth: false, headers: { cookie } })).status).toBe(401);
    expect((await server.call("/api/v2/conversations", { auth: false, headers: { cookie: other } })).status).toBe(200);
  });

  it("survives a restart under the same token, and a new token ends every session", async () => {
    const first = createTestServer();
    extraServers.push(first);
    const cookie = await signIn(first);
    const databasePath = first.runtime.settings.databasePath;
    await first.runtime.store.close();

    const restarted = createTestServer({ databasePath });
    extraServers.push(restarted);
    expect((await restarted.call("/api/v2/conversations", { auth: false, headers: { cookie } })).status).toBe(200);
    await restarted.runtime.store.close();

    const rotated = createTestServer({ databasePath, authToken: "a-new-token" });
    extraServers.push(rotated);
    expect((await rotated.call("/api/v2/conversations", { auth: false, headers: { cookie } })).status).toBe(401);
  });

  it("keeps neither the session id nor the token readable in the database", async () => {
    const cookie = await signIn();
    const value = cookie.split("=")[1]!;
    const database = (server.runtime.store as unknown as { database: import("better-sqlite3").Database }).database;
    const rows = database.prepare("SELECT * FROM auth_sessions").all() as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(value);
    expect(stored).not.toContain(testToken);
  });
});

describe("unsafe requests authenticated by the cookie", () => {
  const append = (headers: Record<string, string>) =>
    server.call("/api/v2/conversations/target", { method: "POST", auth: false, headers, json: { role: "user", content: "hi" } });

  it("are refused (403) from another site or port, or a foreign Origin, and nothing is stored", async () => {
    const cookie = await signIn();
    const attempts: Array<Record<string, string>> = [
      { "sec-fetch-site": "same-site", origin: "http://localhost:8000" },
      { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
      { "sec-fetch-site": "same-site" },
      { origin: "http://localhost:8000" },
      { origin: "null" },
      { origin: "https://localhost" },
    ];
    for (const headers of attempts) {
      const response = await append({ cookie, ...headers });
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect((await response.json()).error).toMatch(/Refused/);
    }
    const put = await server.call("/api/v2/conversations/planted", {
      method: "PUT",
      auth: false,
      headers: { cookie, "sec-fetch-site": "same-site" },
      json: {},
    });
    expect(put.status).toBe(403);
    const remove = await server.call("/api/v2/conversations/target", { method: "DELETE", auth: false, headers: { cookie, origin: "http://127.0.0.1:9" } });
    expect(remove.status).toBe(403);
    expect(await storedLog()).toHaveLength(1);
    expect((await server.call("/api/v2/conversations/planted")).status).toBe(404);
  });

  it("are served from the server's own origin, from a --cors-origin origin, and from non-browser clients", async () => {
    const cookie = await signIn();
    expect((await append({ cookie, "sec-fetch-site": "same-origin", origin: "http://localhost" })).status).toBe(200);
    expect((await append({ cookie, origin: "http://localhost" })).status).toBe(200);
    expect((await append({ cookie, "sec-fetch-site": "same-site", origin: "http://localhost:5701" })).status).toBe(200);
    expect((await append({ cookie })).status).toBe(200);
    // Safe methods are not checked: a cross-site page cannot read the answer.
    const read = await server.call("/api/v2/conversations", { auth: false, headers: { cookie, "sec-fetch-site": "same-site" } });
    expect(read.status).toBe(200);
  });

  it("do not apply to the Authorization header (scripts, --cors-origin clients)", async () => {
    const response = await server.call("/api/v2/conversations/target", {
      method: "POST",
      headers: { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
      json: { role: "user", content: "from a script" },
    });
    expect(response.status).toBe(200);
  });

  it("include signing out from another site (the session stays)", async () => {
    const cookie = await signIn();
    const response = await server.call("/api/v2/auth/cookie", { method: "DELETE", auth: false, headers: { cookie, "sec-fetch-site": "same-site" } });
    expect(response.status).toBe(403);
    expect((await server.call("/api/v2/conversations", { auth: false, headers: { cookie } })).status).toBe(200);
  });

  it("also hold with auth off, for requests without an Authorization header", async () => {
    const open = createTestServer({ authToken: null, corsOrigins: ["http://localhost:5701"] });
    extraServers.push(open);
    await open.call("/api/v2/conversations/target", { method: "PUT", json: {} });
    const post = (headers: Record<string, string>) =>
      open.call("/api/v2/conversations/target", { method: "POST", auth: false, headers, json: { role: "user", content: "x" } });
    expect((await post({ "sec-fetch-site": "same-site" })).status).toBe(403);
    expect((await post({ origin: "http://evil.example" })).status).toBe(403);
    expect((await post({ "sec-fetch-site": "same-site", origin: "http://localhost:5701" })).status).toBe(200);
    expect((await post({})).status).toBe(200);
  });
});

describe("V1 generate runs tools unconfirmed, so it takes only the Authorization header", () => {
  it("refuses the cookie and ?token= with 403, and runs nothing", async () => {
    const cookie = await signIn();
    const byCookie = await server.call("/api/conversations/target/generate", {
      method: "POST",
      auth: false,
      headers: { cookie, "sec-fetch-site": "same-origin" },
      json: {},
    });
    expect(byCookie.status).toBe(403);
    expect((await byCookie.json()).error).toMatch(/only the Authorization: Bearer <token> header/);
    const byQuery = await server.call(`/api/conversations/target/generate?token=${testToken}`, { method: "POST", auth: false, json: {} });
    expect(byQuery.status).toBe(403);
    expect((await server.call("/api/conversations/target/generate", { method: "POST", auth: false, json: {} })).status).toBe(401);
    expect(model.requests).toHaveLength(0);
  });

  it("still runs for a script with the header", async () => {
    await server.call("/api/conversations/target", { method: "POST", json: { role: "user", content: "hello" } });
    model.enqueue({ text: "Hello back." });
    const response = await server.call("/api/conversations/target/generate", { method: "POST", json: {} });
    expect(response.status).toBe(200);
    expect((await response.json())[0]).toMatchObject({ role: "assistant", content: "Hello back." });
  });
});

describe("small ones", () => {
  it("exempts /api/docs and /api/docs/... from auth, but not /api/docsX", async () => {
    expect((await server.call("/api/docs", { auth: false })).status).toBe(301);
    expect((await server.call("/api/docs/openapi.json", { auth: false })).status).toBe(200);
    for (const path of ["/api/docsX", "/api/docs-private", "/api/docs.json"]) {
      const response = await server.call(path, { auth: false });
      expect(response.status, path).toBe(401);
    }
  });

  it("rejects conversation ids with C0/C1 or bidi controls (400) on every :id route, V1 too", async () => {
    const routes = server.app.routes.filter((route) => route.method !== "ALL" && route.path.includes(":id"));
    expect(routes.some((route) => route.path.startsWith("/api/conversations/"))).toBe(true);
    // C0, C1, the bidi controls, and the rest of what Python's str.isprintable() refuses (gptme's rule).
    const ids = ["a\u0007b", "a\u0085b", "a\u009bb", "evil\u202egpj.exe", "a\u202ab", "a\u2066b", "a\u2069b", "a\u200bb", "a\u00a0b"];
    for (const route of routes) {
      const path = route.path.replace(/:path\{[^}]*\}/, "a.txt");
      for (const id of ids) {
        const hasBody = ["POST", "PUT", "PATCH"].includes(route.method);
        const response = await server.call(path.replace(":id", encodeURIComponent(id)), { method: route.method, ...(hasBody ? { json: {} } : {}) });
        expect(response.status, `${route.method} ${route.path} ${JSON.stringify(id)}`).toBe(400);
      }
    }
    const list = await (await server.call("/api/v2/conversations")).json();
    expect(list.map((item: { id: string }) => item.id)).toEqual(["target"]);
    expect((await server.call(`/api/v2/conversations/${encodeURIComponent("héllo wörld 日本 😀")}`, { method: "PUT", json: {} })).status).toBe(200);
  });
});
