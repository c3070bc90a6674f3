/**
 * Bearer-token auth on every `/api/*` route but the exempt ones, as gptme v0.33: header first,
 * then the `gptme_auth` cookie, then `?token=` (EventSource cannot set headers). Constant-time compare.
 */
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { UnauthorizedError } from "../../runtime/errors.js";
import type { AppEnvironment } from "../bindings.js";

export const authCookieName = "gptme_auth";

const exemptPaths = new Set(["/api", "/api/", "/api/v2", "/api/v2/", "/api/v2/version"]);

export function isAuthExempt(method: string, path: string): boolean {
  if (!path.startsWith("/api/") && path !== "/api") return true;
  if (exemptPaths.has(path)) return true;
  if (path.startsWith("/api/docs")) return true;
  if (method === "OPTIONS") return true;
  return method === "DELETE" && path === "/api/v2/auth/cookie";
}

/** Reads the credential a request presents, or throws gptme's 401 messages for malformed headers. */
export function presentedToken(request: { header(name: string): string | undefined; query(name: string): string | undefined }, cookie: string | undefined): string | undefined {
  const header = request.header("authorization");
  if (header !== undefined) {
    const space = header.indexOf(" ");
    if (space === -1) throw new UnauthorizedError("Invalid authorization header format");
    if (header.slice(0, space).toLowerCase() !== "bearer") throw new UnauthorizedError("Invalid authentication scheme");
    return header.slice(space + 1).trim();
  }
  return cookie ?? request.query("token");
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

/** Open roots still reject a wrong token that is sent, so a client can tell "connected" from "wrong token". */
const rootsCheckingSentTokens = new Set(["/api/v2", "/api/v2/"]);

export const requireAuth: MiddlewareHandler<AppEnvironment> = async (c, next) => {
  const expected = c.env.settings.authToken;
  if (expected === null) return next();
  if (isAuthExempt(c.req.method, c.req.path)) {
    const sent = c.req.header("authorization");
    if (sent === undefined || !rootsCheckingSentTokens.has(c.req.path) || c.req.method === "OPTIONS") return next();
  }
  let presented: string | undefined;
  try {
    presented = presentedToken(c.req, getCookie(c, authCookieName));
  } catch (error) {
    c.header("WWW-Authenticate", 'Bearer realm="gptme"');
    throw error;
  }
  if (!presented) {
    c.header("WWW-Authenticate", 'Bearer realm="gptme"');
    throw new UnauthorizedError("Missing authentication credentials");
  }
  if (!tokenMatches(presented, expected)) {
    c.header("WWW-Authenticate", 'Bearer realm="gptme", error="invalid_token"');
    throw new UnauthorizedError("Invalid or expired token");
  }
  return next();
};
