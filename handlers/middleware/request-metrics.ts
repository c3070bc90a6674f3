/** Counts every request by route pattern, method and status, with its latency, for `/api/v0/metrics`. */
import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnvironment } from "../bindings.js";

/** The handler's route pattern: raw paths would make one series per conversation id. */
function endpointOf(c: Parameters<MiddlewareHandler<AppEnvironment>>[0]): string {
  const routes = matchedRoutes(c);
  for (let index = routes.length - 1; index >= 0; index--) {
    if (routes[index]!.method !== "ALL") return routes[index]!.path;
  }
  return "unmatched";
}

export const countRequests: MiddlewareHandler<AppEnvironment> = async (c, next) => {
  const metrics = c.env.metrics;
  if (!metrics) return next();
  const started = performance.now();
  try {
    await next();
  } finally {
    metrics.observeRequest(c.req.method, endpointOf(c), c.res.status, (performance.now() - started) / 1000);
  }
};
