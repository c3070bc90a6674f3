/**
 * The web-standard core: every endpoint is a fetch-style Hono handler. The runtime arrives as
 * `c.env`, so the same app runs under `app.request(path, init, runtime)`, Node, or an edge runtime.
 */
import { fromHono } from "chanfana";
import { Hono } from "hono";
import { AppError, NotFoundError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";
import { GetConversationConfig, UpdateConversationConfig } from "./config.js";
import {
  AppendMessage,
  CreateConversation,
  DeleteConversation,
  GetConversation,
  ListConversations,
} from "./conversations.js";
import { docsAsset, docsPage } from "./docs.js";
import { handleError } from "./errors.js";
import { requireAuth } from "./middleware/auth.js";
import { corsForApi } from "./middleware/cors.js";
import { checkHost } from "./middleware/host-check.js";
import { jsonBody } from "./middleware/json-body.js";
import { ListModels } from "./models.js";
import { registerHeadRoutes } from "./head-routes.js";
import { registerExtraRoutes } from "./routes.js";
import {
  ApiV1Root,
  ApiV2Root,
  ApiVersion,
  ClearAuthCookie,
  PublicHealth,
  ServerHealth,
  SetAuthCookie,
} from "./server.js";
import { serveWebUi } from "./static.js";

class MethodNotAllowedError extends AppError {
  constructor(method: string, path: string, allowed: string[]) {
    super(405, `Method ${method} not allowed on ${path}`, { allowed });
  }
}

/** A Hono route pattern as a RegExp: `:name` is one segment, `:name{regex}` its regex (which may span `/`). */
function patternToRegExp(pattern: string): RegExp {
  let source = "";
  let last = 0;
  for (const match of pattern.matchAll(/:\w+(?:\{((?:[^{}]|\{[^{}]*\})*)\})?/g)) {
    source += escapeRegExp(pattern.slice(last, match.index)) + (match[1] === undefined ? "[^/]+" : `(?:${match[1]})`);
    last = match.index + match[0].length;
  }
  return new RegExp(`^${source}${escapeRegExp(pattern.slice(last))}/?$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

type OpenapiDocument = { paths?: Record<string, unknown> } & Record<string, unknown>;

/** Hono's `:path{.+}` (a parameter spanning slashes) is plain `{path}` in OpenAPI. */
function cleanOpenapiPaths(document: OpenapiDocument): OpenapiDocument {
  const paths = Object.fromEntries(
    Object.entries(document.paths ?? {}).map(([path, item]) => [path.replace(/\}\{[^}]*\}/g, "}"), item]),
  );
  return { ...document, paths };
}

export function createApp() {
  const app = new Hono<AppEnvironment>();
  app.onError(handleError);

  app.use("*", checkHost);
  app.use("/api/*", corsForApi);
  app.use("/api", corsForApi);
  app.use("/api/*", requireAuth);
  app.use("/api/*", jsonBody);

  const api = fromHono(app, {
    docs_url: null,
    redoc_url: null,
    openapi_url: null,
    passthroughErrors: true,
    raiseUnknownParameters: false,
    schema: {
      info: {
        title: "gptme API",
        version: "2",
        description:
          "gptme-compatible server API. Authenticate with `Authorization: Bearer <token>`, the `gptme_auth` " +
          "cookie (same-origin web pages), or `?token=` (for EventSource). Request bodies are " +
          "`application/json` (415 otherwise). Every error is JSON `{ \"error\": \"...\" }`.",
      },
      servers: [{ url: "/" }],
      security: [{ bearerAuth: [] }],
    },
  });
  api.registry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer" });

  api.get("/health", PublicHealth);
  api.get("/api", ApiV1Root);
  api.get("/api/v2", ApiV2Root);
  api.get("/api/v2/version", ApiVersion);
  api.get("/api/v2/server/health", ServerHealth);
  api.post("/api/v2/auth/cookie", SetAuthCookie);
  api.delete("/api/v2/auth/cookie", ClearAuthCookie);
  api.get("/api/v2/models", ListModels);
  api.get("/api/v2/conversations", ListConversations);
  api.get("/api/v2/conversations/:id", GetConversation);
  api.put("/api/v2/conversations/:id", CreateConversation);
  api.post("/api/v2/conversations/:id", AppendMessage);
  api.delete("/api/v2/conversations/:id", DeleteConversation);
  api.get("/api/v2/conversations/:id/config", GetConversationConfig);
  api.patch("/api/v2/conversations/:id/config", UpdateConversationConfig);
  registerExtraRoutes(api);
  registerHeadRoutes(api, app);

  let openapiDocument: string | undefined;
  app.get("/api/docs/openapi.json", (c) => {
    openapiDocument ??= JSON.stringify(cleanOpenapiPaths(api.schema as OpenapiDocument));
    return c.body(openapiDocument, 200, { "Content-Type": "application/json" });
  });
  app.get("/api/docs", (c) => c.redirect("/api/docs/", 301));
  app.get("/api/docs/", docsPage);
  app.get("/api/docs/assets/:name", docsAsset);

  let routePatterns: Array<{ method: string; pattern: RegExp }> | undefined;
  app.notFound((c) => {
    const path = c.req.path;
    if (path === "/api" || path.startsWith("/api/") || c.req.method !== "GET") {
      routePatterns ??= app.routes
        .filter((route) => route.method !== "ALL")
        .map((route) => ({ method: route.method, pattern: patternToRegExp(route.path) }));
      const allowed = [...new Set(routePatterns.filter((route) => route.pattern.test(path)).map((route) => route.method))];
      if (allowed.length > 0 && !allowed.includes(c.req.method)) {
        c.header("Allow", allowed.join(", "));
        return handleError(new MethodNotAllowedError(c.req.method, path, allowed), c);
      }
      return handleError(new NotFoundError(`Not found: ${c.req.method} ${path}`), c);
    }
    return serveWebUi(c);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
