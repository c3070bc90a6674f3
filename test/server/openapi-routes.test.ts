/**
 * The OpenAPI document describes every route the app serves, each as its own path and method, and
 * nothing it does not serve. The route table is Hono's `app.routes`, so a route added without its
 * chanfana definition (or served inside another one, as the workspace preview used to be) fails here.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
beforeEach(() => {
  server = createTestServer();
});
afterEach(async () => {
  await server.close();
});

/** Routes that are not API operations: the document itself and its viewer. */
const notOperations: Record<string, string> = {
  "GET /api/docs/openapi.json": "the OpenAPI document itself",
  "GET /api/docs": "a redirect to the viewer",
  "GET /api/docs/": "the viewer's page (Swagger UI)",
  "GET /api/docs/assets/{name}": "the viewer's scripts and styles",
};
/** HTTP methods an OpenAPI path item has no field for (gptme's `QUERY /api/v2/tools`). */
const methodsOpenapiCannotExpress = new Set(["QUERY"]);
const operationFields = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** `:id` and `:path{.+}` (a regex that may hold braces) become OpenAPI's `{id}` and `{path}`. */
function openapiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)(?:\{(?:[^{}]|\{[^{}]*\})*\})?/g, "{$1}");
}

async function documentOperations(): Promise<string[]> {
  const document = (await (await server.call("/api/docs/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item).filter((field) => operationFields.includes(field)).map((field) => `${field.toUpperCase()} ${path}`),
  );
}

function servedRoutes(): string[] {
  // `ALL` entries are middleware (CORS, auth, body parsing), not routes.
  return [...new Set(server.app.routes.filter((route) => route.method !== "ALL").map((route) => `${route.method} ${openapiPath(route.path)}`))];
}

describe("the OpenAPI document and the route table", () => {
  it("list the same operations, but for the documented exceptions", async () => {
    const served = servedRoutes();
    for (const route of Object.keys(notOperations)) expect(served, `stale exception ${route}`).toContain(route);
    const expected = served.filter((route) => !(route in notOperations) && !methodsOpenapiCannotExpress.has(route.split(" ")[0]!));
    expect((await documentOperations()).sort()).toEqual(expected.sort());
  });

  it("documents the workspace preview as its own route, which serves it", async () => {
    expect(await documentOperations()).toContain("GET /api/v2/conversations/{id}/workspace/{path}/preview");
    expect(servedRoutes()).toContain("GET /api/v2/conversations/{id}/workspace/{path}/preview");

    await server.call("/api/v2/conversations/files", { method: "PUT", json: { messages: [] } });
    const workspace = (await (await server.call("/api/v2/conversations/files")).json()).workspace as string;
    mkdirSync(join(workspace, "notes"), { recursive: true });
    writeFileSync(join(workspace, "notes", "todo.txt"), "buy milk\n");
    const preview = await server.call("/api/v2/conversations/files/workspace/notes/todo.txt/preview");
    expect(await preview.json()).toEqual({ type: "text", content: "buy milk\n" });
    const listing = await server.call("/api/v2/conversations/files/workspace/notes");
    expect(await listing.json()).toEqual([expect.objectContaining({ name: "todo.txt", path: "notes/todo.txt", type: "file" })]);
    const wrongMethod = await server.call("/api/v2/conversations/files/workspace/notes/todo.txt", { method: "POST", json: {} });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET");
  });
});
