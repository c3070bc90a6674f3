/**
 * CORS for `/api/*` only, and only for the `--cors-origin` origins. Named origins get credentials
 * and Chrome's Private Network Access header (an https page calling a loopback server); `*` gets neither.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnvironment } from "../bindings.js";

const allowedMethods = "GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS";
const allowedHeaders = "authorization, content-type, last-event-id";

export const corsForApi: MiddlewareHandler<AppEnvironment> = async (c, next) => {
  const origins = c.env.settings.corsOrigins;
  const origin = c.req.header("origin");
  if (origins.length === 0 || !origin) return next();
  const wildcard = origins.includes("*");
  const named = origins.includes(origin);
  if (!named && !wildcard) return next();

  const headers: Record<string, string> = named
    ? { "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", Vary: "Origin" }
    : { "Access-Control-Allow-Origin": "*" };

  if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
    const preflight = new Headers(headers);
    preflight.set("Access-Control-Allow-Methods", allowedMethods);
    preflight.set("Access-Control-Allow-Headers", c.req.header("access-control-request-headers") ?? allowedHeaders);
    preflight.set("Access-Control-Max-Age", "600");
    if (named) preflight.set("Access-Control-Allow-Private-Network", "true");
    return new Response(null, { status: 204, headers: preflight });
  }
  await next();
  for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  c.res.headers.set("Access-Control-Expose-Headers", "x-api-version");
};
