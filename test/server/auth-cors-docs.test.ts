import { afterEach, describe, expect, it } from "vitest";
import { createTestServer, testToken, type TestServer } from "../support/test-runtime.js";

const servers: TestServer[] = [];
function server(options: Parameters<typeof createTestServer>[0] = {}) {
  const created = createTestServer(options);
  servers.push(created);
  return created;
}
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

describe("auth", () => {
  it("requires a token on the API and says why in JSON", async () => {
    const app = server();
    const missing = await app.call("/api/v2/conversations", { auth: false });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: "Missing authentication credentials" });
    const wrong = await app.call("/api/v2/conversations", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: "Invalid or expired token" });
    const scheme = await app.call("/api/v2/conversations", { headers: { authorization: `Basic ${testToken}` } });
    expect(await scheme.json()).toEqual({ error: "Invalid authentication scheme" });
    const format = await app.call("/api/v2/conversations", { headers: { authorization: "Bearer" } });
    expect(await format.json()).toEqual({ error: "Invalid authorization header format" });
    expect((await app.call("/api/v2/conversations", { headers: { authorization: `bearer ${testToken}` } })).status).toBe(200);
  });

  it("accepts ?token= and the cookie set by POST /api/v2/auth/cookie", async () => {
    const app = server();
    expect((await app.call(`/api/v2/conversations?token=${testToken}`, { auth: false })).status).toBe(200);
    const cookieResponse = await app.call("/api/v2/auth/cookie", { method: "POST" });
    expect(cookieResponse.status).toBe(200);
    const setCookie = cookieResponse.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/gptme_auth=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Path=\/api\//);
    const cookie = setCookie.split(";")[0]!;
    expect((await app.call("/api/v2/conversations", { auth: false, headers: { cookie } })).status).toBe(200);
    expect((await app.call("/api/v2/auth/cookie", { method: "POST", auth: false })).status).toBe(401);
    const cleared = await app.call("/api/v2/auth/cookie", { method: "DELETE", auth: false });
    expect(cleared.status).toBe(200);
  });

  it("exempts the roots, docs, health and the UI", async () => {
    const app = server();
    for (const path of ["/api", "/api/v2", "/api/v2/version", "/api/docs/", "/api/docs/openapi.json", "/health", "/"]) {
      expect((await app.call(path, { auth: false })).status, path).toBe(200);
    }
    expect((await app.call("/api/v2/server/health", { auth: false })).status).toBe(401);
    expect((await app.call("/api/v2/models", { auth: false })).status).toBe(401);
  });

  it("answers /api/v2 without a token, but 401 for a wrong one that is sent", async () => {
    const app = server();
    expect((await app.call("/api/v2", { auth: false })).status).toBe(200);
    expect((await app.call("/api/v2")).status).toBe(200);
    expect((await app.call("/api/v2", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  });

  it("can be disabled", async () => {
    const app = server({ authToken: null });
    expect((await app.call("/api/v2/conversations", { auth: false })).status).toBe(200);
  });
});

describe("CORS", () => {
  it("answers preflights for named origins with credentials and private network access", async () => {
    const app = server({ corsOrigins: ["http://localhost:5701", "https://chat.gptme.org"] });
    const preflight = await app.call("/api/v2/conversations", {
      method: "OPTIONS",
      auth: false,
      headers: {
        origin: "http://localhost:5701",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:5701");
    expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    expect(preflight.headers.get("access-control-allow-methods")).toMatch(/PATCH/);
    expect(preflight.headers.get("access-control-allow-private-network")).toBe("true");
    const actual = await app.call("/api/v2/conversations", { headers: { origin: "https://chat.gptme.org" } });
    expect(actual.headers.get("access-control-allow-origin")).toBe("https://chat.gptme.org");
    const other = await app.call("/api/v2/conversations", { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("sends no CORS headers without --cors-origin, and none outside /api", async () => {
    const app = server();
    const response = await app.call("/api/v2/conversations", { headers: { origin: "http://localhost:5701" } });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const named = server({ corsOrigins: ["http://localhost:5701"] });
    const page = await named.call("/", { headers: { origin: "http://localhost:5701" } });
    expect(page.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("gives * neither credentials nor private network access", async () => {
    const app = server({ corsOrigins: ["*"] });
    const preflight = await app.call("/api/v2/conversations", {
      method: "OPTIONS",
      auth: false,
      headers: { origin: "https://any.example", "access-control-request-method": "GET" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
    expect(preflight.headers.get("access-control-allow-private-network")).toBeNull();
  });
});

describe("API roots and docs", () => {
  it("describes the server at /api/v2 without auth", async () => {
    const app = server();
    const response = await app.call("/api/v2", { auth: false });
    expect(response.headers.get("x-api-version")).toBe("2");
    const body = await response.json();
    expect(body.message).toContain("gptme v2 API");
    expect(body).toMatchObject({ api_version: 2, provider_configured: false });
    expect(await (await app.call("/api", { auth: false })).json()).toEqual({ message: "Hello World!" });
  });

  it("lists no models and no default without a provider key", async () => {
    const app = server();
    expect(await (await app.call("/api/v2/models")).json()).toMatchObject({ models: [], default: null });
  });

  it("serves Swagger UI from local files and documents every route", async () => {
    const app = server();
    const page = await app.call("/api/docs/", { auth: false });
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    const bundle = await app.call("/api/docs/assets/swagger-ui-bundle.js", { auth: false });
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    const document = await (await app.call("/api/docs/openapi.json", { auth: false })).json();
    const paths = Object.keys(document.paths);
    for (const route of app.app.routes) {
      // HTTP QUERY cannot appear in an OpenAPI 3.1 document (the README documents it).
      if (route.method === "ALL" || route.method === "QUERY" || route.path.startsWith("/api/docs")) continue;
      const openapiPath = route.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
      expect(paths, `${route.method} ${route.path}`).toContain(openapiPath);
      expect(document.paths[openapiPath][route.method.toLowerCase()], `${route.method} ${route.path}`).toBeTruthy();
    }
    const put = document.paths["/api/v2/conversations/{id}"].put;
    expect(put.requestBody).toBeTruthy();
    expect(put.responses["409"]).toBeTruthy();
  });
});
