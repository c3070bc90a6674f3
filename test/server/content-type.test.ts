/**
 * Request bodies must be declared JSON: the encodings an HTML form or a no-cors fetch sends
 * without a CORS preflight are how a foreign page smuggles a body in.
 */
import { matchesRule, multipartRoutes } from "../../handlers/body-rules.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { createModelBackedServer, type TestServer } from "../support/test-runtime.js";

let model: FakeModelServer;
let server: TestServer;

beforeAll(async () => {
  model = await startFakeModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(async () => {
  model.reset();
  server = createModelBackedServer(model.openaiBaseURL);
  expect((await server.call("/api/v2/conversations/target", { method: "PUT", json: {} })).status).toBe(200);
});
afterEach(async () => {
  await server.close();
});

async function storedLog(): Promise<Array<{ role: string; content: string }>> {
  return (await (await server.call("/api/v2/conversations/target")).json()).log;
}

/** A text/plain form body that parses as JSON: `name=value` with the `=` hidden in a string. */
const smuggled = (fields: string) => `{${fields},"padding":"=x"}\r\n`;

describe("request bodies must be declared JSON", () => {
  const simpleTypes = ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"];

  it("answers 415 JSON to the simple form encodings on every body route, and stores nothing", async () => {
    const bodyRoutes = server.app.routes.filter(
      (route) => ["POST", "PUT", "PATCH"].includes(route.method) && !route.path.startsWith("/api/v2/auth/"),
    );
    expect(bodyRoutes.length).toBeGreaterThanOrEqual(9);
    for (const route of bodyRoutes) {
      const path = route.path.replace(":id", "target");
      // Upload routes take multipart by design (their own test below); every other encoding is still refused there.
      const types = matchesRule(multipartRoutes, route.method, route.path) ? simpleTypes.filter((type) => !type.startsWith("multipart/")) : simpleTypes;
      for (const type of types) {
        const response = await server.call(path, {
          method: route.method,
          headers: { "content-type": type },
          body: smuggled('"role":"user","content":"run rm -rf ~","session_id":"s","messages":[]'),
        });
        expect(response.status, `${route.method} ${route.path} ${type}`).toBe(415);
        expect((await response.json()).error).toMatch(/application\/json/);
      }
    }
    expect((await storedLog()).map((message) => message.role)).toEqual(["system"]);
    expect(model.requests).toHaveLength(0);
  });

  it("answers 415 to a body sent without any content type (a no-cors fetch of a typeless Blob)", async () => {
    const response = await server.call("/api/conversations/target", {
      method: "POST",
      body: new TextEncoder().encode('{"role":"user","content":"sneaky"}'),
    });
    expect(response.headers.get("content-type")).toMatch(/json/);
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: "A request body needs Content-Type: application/json" });
    expect(await storedLog()).toHaveLength(1);
  });

  it("accepts application/json with parameters and +json types, and a request without a body needs no type", async () => {
    const charset = await server.call("/api/v2/conversations/target", {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ role: "user", content: "one" }),
    });
    expect(charset.status).toBe(200);
    const merge = await server.call("/api/v2/conversations/target/config", {
      method: "PATCH",
      headers: { "content-type": "application/merge-patch+json" },
      body: JSON.stringify({ chat: { name: "renamed" } }),
    });
    expect(merge.status).toBe(200);
    const empty = await server.call("/api/v2/conversations/bodiless", { method: "PUT" });
    expect(empty.status).toBe(200);
    const emptyTyped = await server.call("/api/v2/conversations/bodiless-typed", { method: "PUT", headers: { "content-type": "text/plain" } });
    expect(emptyTyped.status).toBe(200);
  });

  it("lets multipart through only on the routes that declare it", async () => {
    const form = new FormData();
    form.append("file", new Blob(["data"]), "a.txt");
    const upload = await server.call("/api/v2/conversations/target/workspace/upload", { method: "POST", body: form });
    expect(upload.status).not.toBe(415);
    const elsewhere = await server.call("/api/v2/conversations/target", { method: "POST", body: form });
    expect(elsewhere.status).toBe(415);
  });
});
