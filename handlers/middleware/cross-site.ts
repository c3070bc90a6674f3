/**
 * Refuses unsafe requests that a foreign page could make a browser send with the user's ambient
 * credential (the `gptme_auth` cookie, or no credential at all when auth is off). Ports do not
 * separate sites: a page on 127.0.0.1:8000 is "same site" for a server on 127.0.0.1:5700, and the
 * browser sends it the cookie, even a SameSite=Strict one. What the browser does tell us is where
 * the request comes from: `Sec-Fetch-Site` (current browsers) and `Origin` (all browsers on POST).
 * Requests with an `Authorization` header are not checked: a foreign page cannot set one without
 * a CORS preflight, which only `--cors-origin` origins pass.
 */
import type { Context } from "hono";
import { ForbiddenError } from "../../runtime/errors.js";
import type { AppEnvironment } from "../bindings.js";

const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function isUnsafeMethod(method: string): boolean {
  return unsafeMethods.has(method);
}

function sameOrigin(origin: string, requestUrl: string): boolean {
  try {
    return new URL(origin).origin === new URL(requestUrl).origin;
  } catch {
    return false;
  }
}

/** Throws 403 when an unsafe request with an ambient credential comes from another site or origin; `how` says how it was authenticated. */
export function refuseCrossSite(c: Context<AppEnvironment>, how: string): void {
  if (!isUnsafeMethod(c.req.method)) return;
  const origin = c.req.header("origin");
  const trusted = c.env.settings.corsOrigins;
  if (origin !== undefined && trusted.includes(origin)) return;
  const site = c.req.header("sec-fetch-site")?.toLowerCase();
  if (site === "cross-site" || site === "same-site") {
    throw new ForbiddenError(
      `Refused a ${site} ${c.req.method} request ${how}: ` +
        "another site cannot act with this browser's sign-in. Scripts send Authorization: Bearer <token>; " +
        "a web client on another origin needs --cors-origin and the Authorization header",
    );
  }
  // The browser vouches for same-origin; Origin may still differ behind a TLS-terminating proxy.
  if (site === "same-origin" || origin === undefined) return;
  if (!sameOrigin(origin, c.req.url)) {
    throw new ForbiddenError(
      `Refused a ${c.req.method} request from origin ${origin} ${how}: ` +
        "it is neither this server's origin nor one given with --cors-origin",
    );
  }
}
