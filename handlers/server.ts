/** API roots, version, health checks and the auth cookie. */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { AppEnvironment } from "./bindings.js";
import { authCookieMaxAgeSeconds, authCookieName, headerToken, tokenMatches } from "./middleware/auth.js";
import { refuseCrossSite } from "./middleware/cross-site.js";
import { UnauthorizedError } from "../runtime/errors.js";
import { StatusOk, errorResponses, jsonContent } from "./schemas/common.js";

type AppContext = Context<AppEnvironment>;

/** Where the conversations' tools run and what that isolates (shown by the web UI). */
const sandboxSchema = z.object({
  backend: z.enum(["bwrap", "container", "user", "none"]),
  isolated: z.boolean().describe("The tools cannot read the server's token, the provider keys or the store"),
  isolates: z.array(z.string()).describe("What is kept from the tools, e.g. filesystem, processes"),
  limits: z.object({ available: z.boolean(), detail: z.string() }).describe("Per-conversation process and memory limits"),
  network: z.enum(["on", "none"]),
  warning: z.string().nullable().describe("Set when tools are less isolated than asked or than the default"),
});

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
          sandbox: sandboxSchema,
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
      sandbox: c.env.settings.sandbox,
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

/** The cookie's attributes: HttpOnly, SameSite=Strict, only sent to `/api/`, Secure over https. */
function cookieOptions(c: AppContext) {
  return {
    httpOnly: true,
    sameSite: "Strict" as const,
    path: "/api/",
    secure: new URL(c.req.url).protocol === "https:",
  };
}

export class SetAuthCookie extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["auth"],
    summary: "Exchange a bearer token for an HttpOnly `gptme_auth` cookie (a stored session)",
    description:
      "Lets the same-origin web UI use EventSource without putting the token in URLs. The cookie holds a random " +
      "session id (SameSite=Strict, a day), bound to the current token; unsafe requests it authenticates must come " +
      "from this server's own origin.",
    responses: { "200": jsonContent(StatusOk, "Cookie set"), ...errorResponses(401) },
  };

  async handle(c: AppContext) {
    const expected = c.env.settings.authToken;
    if (expected !== null) {
      const presented = headerToken(c.req);
      if (!presented || !tokenMatches(presented, expected)) {
        throw new UnauthorizedError(presented ? "Invalid or expired token" : "Missing authentication credentials");
      }
      const session = await c.env.authSessions.create(expected, authCookieMaxAgeSeconds);
      setCookie(c, authCookieName, session, { ...cookieOptions(c), maxAge: authCookieMaxAgeSeconds });
    }
    return c.json({ status: "ok" as const });
  }
}

export class ClearAuthCookie extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["auth"],
    summary: "Sign out: end the cookie's session and clear the cookie (no auth, reads no body)",
    responses: { "200": jsonContent(StatusOk, "Cookie cleared"), ...errorResponses(403) },
  };

  async handle(c: AppContext) {
    const session = getCookie(c, authCookieName);
    if (session) {
      refuseCrossSite(c, "authenticated by the gptme_auth cookie");
      await c.env.authSessions.revoke(session);
    }
    deleteCookie(c, authCookieName, cookieOptions(c));
    return c.json({ status: "ok" as const });
  }
}
