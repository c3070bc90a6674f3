/** API roots, version, health checks and the auth cookie. */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { AppEnvironment } from "./bindings.js";
import { authCookieName, presentedToken, tokenMatches } from "./middleware/auth.js";
import { UnauthorizedError } from "../runtime/errors.js";
import { StatusOk, errorResponses, jsonContent } from "./schemas/common.js";

type AppContext = Context<AppEnvironment>;

export class ApiV2Root extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["server"],
    summary: "API root (no auth): version and whether a model provider is configured",
    responses: {
      "200": jsonContent(
        z.object({
          message: z.string(),
          documentation: z.string(),
          version: z.string(),
          api_version: z.number(),
          contract_revision: z.number(),
          provider_configured: z.boolean(),
          auth_required: z.boolean(),
          capabilities: z.record(z.string(), z.boolean()),
        }),
        "API info",
      ),
    },
  };

  async handle(c: AppContext) {
    c.header("X-API-Version", "2");
    return c.json({
      message: "gptme v2 API",
      documentation: "/api/docs/",
      version: c.env.settings.version,
      api_version: 2,
      contract_revision: 2,
      provider_configured: c.env.models.providerConfigured(),
      auth_required: c.env.settings.authToken !== null,
      capabilities: { external_session_catalog: false, external_session_transcript: false, event_replay: true },
    });
  }
}

export class ApiVersion extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["server"],
    summary: "API version (no auth)",
    responses: { "200": jsonContent(z.object({ api_version: z.number(), contract_revision: z.number() }), "Version") },
  };

  async handle(c: AppContext) {
    c.header("X-API-Version", "2");
    return c.json({ api_version: 2, contract_revision: 2 });
  }
}

export class ApiV1Root extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["v1"],
    summary: "V1 API root (no auth)",
    responses: { "200": jsonContent(z.object({ message: z.string() }), "Hello") },
  };

  async handle(c: AppContext) {
    return c.json({ message: "Hello World!" });
  }
}

export class PublicHealth extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["server"],
    summary: "Liveness for container health checks (no auth)",
    responses: { "200": jsonContent(z.object({ status: z.literal("ok") }), "Alive") },
  };

  async handle(c: AppContext) {
    return c.json({ status: "ok" as const });
  }
}

export { ServerHealth } from "./admin.js";

export class SetAuthCookie extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["auth"],
    summary: "Exchange a bearer token for an HttpOnly `gptme_auth` cookie",
    description: "Lets browsers use EventSource without putting the token in URLs.",
    responses: { "200": jsonContent(StatusOk, "Cookie set"), ...errorResponses(401) },
  };

  async handle(c: AppContext) {
    const expected = c.env.settings.authToken;
    if (expected !== null) {
      const presented = presentedToken({ header: (name) => c.req.header(name), query: () => undefined }, undefined);
      if (!presented || !tokenMatches(presented, expected)) {
        throw new UnauthorizedError(presented ? "Invalid or expired token" : "Missing authentication credentials");
      }
      setCookie(c, authCookieName, presented, {
        httpOnly: true,
        sameSite: "Lax",
        path: "/api/",
        maxAge: 86_400,
        secure: new URL(c.req.url).protocol === "https:",
      });
    }
    return c.json({ status: "ok" as const });
  }
}

export class ClearAuthCookie extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["auth"],
    summary: "Clear the auth cookie (no auth)",
    responses: { "200": jsonContent(StatusOk, "Cookie cleared") },
  };

  async handle(c: AppContext) {
    deleteCookie(c, authCookieName, { path: "/api/" });
    return c.json({ status: "ok" as const });
  }
}
