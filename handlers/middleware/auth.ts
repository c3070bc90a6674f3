/**
 * Bearer-token auth on every `/api/*` route but the exempt ones, as gptme v0.33: the
 * `Authorization` header first, then the `gptme_auth` cookie (a session id from
 * `POST /api/v2/auth/cookie`, see `runtime/store/auth-sessions.ts`), then `?token=` (EventSource
 * cannot set headers). Cookie-authenticated unsafe requests also pass the cross-site check.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { ForbiddenError, UnauthorizedError } from "../../runtime/errors.js";
import type { AppEnvironment } from "../bindings.js";
import { isUnsafeMethod, refuseCrossSite } from "./cross-site.js";

export const authCookieName = "gptme_auth";
/** As gptme: a day. */
export const authCookieMaxAgeSeconds = 86_400;

const exemptPaths = new Set(["/api", "/api/", "/api/v2", "/api/v2/", "/api/v2/version", "/api/docs"]);

export function isAuthExempt(method: string, path: string): boolean {
  if (!path.startsWith("/api/") && path !== "/api") return true;
  if (exemptPaths.has(path)) return true;
  if (path.startsWith("/api/docs/")) return true;
  if (method === "OPTIONS") return true;
  return method === "DELETE" && path === "/api/v2/auth/cookie";
}

/** The token of the `Authorization` header, undefined without one; throws gptme's 401 messages for malformed headers. */
export function headerToken(request: { header(name: string): string | undefined }): string | undefined {
  const header = request.header("authorization");
  if (header === undefined) return undefined;
  const space = header.indexOf(" ");
  if (space === -1) throw new UnauthorizedError("Invalid authorization header format");
  if (header.slice(0, space).toLowerCase() !== "bearer") throw new UnauthorizedError("Invalid authentication scheme");
  return header.slice(space + 1).trim();
}

/**
 * Compares in time that depends only on the expected token's length, never on where the first
 * difference is. Synchronous: hashing both sides with crypto.subtle on every request cost a third
 * of the list route's throughput.
 */
export function tokenMatches(presented: string, expected: string): boolean {
  let difference = presented.length ^ expected.length;
  for (let index = 0; index < expected.length; index++) {
    difference |= (presented.charCodeAt(index) || 0) ^ expected.charCodeAt(index);
  }
  return difference === 0;
}

/**
 * For routes that act without asking (V1 generate runs tools unconfirmed): only the
 * `Authorization` header will do, never the cookie a foreign page can make the browser send, nor
 * `?token=` (it ends up in logs and history). A no-op when auth is off.
 */
export function requireHeaderCredential(c: Context<AppEnvironment>, what: string): void {
  if (c.env.settings.authToken === null || c.req.header("authorization") !== undefined) return;
  throw new ForbiddenError(`${what}: it accepts only the Authorization: Bearer <token> header, not the cookie or ?token=`);
}

/** Open roots still reject a wrong token that is sent, so a client can tell "connected" from "wrong token". */
const rootsCheckingSentTokens = new Set(["/api/v2", "/api/v2/"]);

function unauthorized(c: Context<AppEnvironment>, message: string, invalid: boolean): UnauthorizedError {
  c.header("WWW-Authenticate", invalid ? 'Bearer realm="gptme", error="invalid_token"' : 'Bearer realm="gptme"');
  return new UnauthorizedError(message);
}

export const requireAuth: MiddlewareHandler<AppEnvironment> = async (c, next) => {
  const expected = c.env.settings.authToken;
  if (expected === null) {
    // No credential to steal, but a foreign page could still drive the agent through the browser.
    if (isUnsafeMethod(c.req.method) && c.req.header("authorization") === undefined) refuseCrossSite(c, "without an Authorization header (auth is off)");
    return next();
  }
  if (c.env.settings.metricsPublic && c.req.path === "/api/v0/metrics") return next();
  if (isAuthExempt(c.req.method, c.req.path)) {
    const sent = c.req.header("authorization");
    if (sent === undefined || !rootsCheckingSentTokens.has(c.req.path) || c.req.method === "OPTIONS") return next();
  }
  let fromHeader: string | undefined;
  try {
    fromHeader = headerToken(c.req);
  } catch (error) {
    throw unauthorized(c, (error as Error).message, false);
  }
  if (fromHeader !== undefined) {
    if (!fromHeader) throw unauthorized(c, "Missing authentication credentials", false);
    if (!tokenMatches(fromHeader, expected)) throw unauthorized(c, "Invalid or expired token", true);
    return next();
  }
  const cookie = getCookie(c, authCookieName);
  if (cookie && (await c.env.authSessions.verify(cookie, expected))) {
    refuseCrossSite(c, "authenticated by the gptme_auth cookie");
    return next();
  }
  const fromQuery = c.req.query("token");
  if (fromQuery) {
    if (!tokenMatches(fromQuery, expected)) throw unauthorized(c, "Invalid or expired token", true);
    return next();
  }
  if (cookie) throw unauthorized(c, "Invalid or expired session: sign in again", true);
  throw unauthorized(c, "Missing authentication credentials", false);
};
