/**
 * Which request bodies each API route reads. The default is JSON: `Content-Type: application/json`
 * (or any `+json` type), because the three encodings an HTML form or a no-cors `fetch` can send
 * without a CORS preflight (`text/plain`, `application/x-www-form-urlencoded`,
 * `multipart/form-data`) are how a foreign page would smuggle a body in. The exceptions are listed
 * here, in Hono's path syntax.
 */

export interface RouteRule {
  method: string;
  path: string;
}

/** Routes that take `multipart/form-data` (file uploads). They still need a same-site-safe credential. */
export const multipartRoutes: RouteRule[] = [
  { method: "POST", path: "/api/v2/conversations/:id/workspace/upload" },
  // gptme's speech-to-text upload: checked, then answered 501 (out of scope).
  { method: "POST", path: "/api/v2/audio/transcriptions" },
];

/** Routes that ignore any body they are sent (no parsing, no size limit, no content type). */
export const routesWithoutBody: RouteRule[] = [{ method: "DELETE", path: "/api/v2/auth/cookie" }];

/** Routes whose non-object JSON body gptme words "Request body must be a JSON object" (its agents and tasks modules). */
export const requestBodyWordedRoutes: RouteRule[] = [
  { method: "PUT", path: "/api/v2/agents" },
  { method: "POST", path: "/api/v2/tasks" },
  { method: "PUT", path: "/api/v2/tasks/:id" },
];

function patternOf(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) => (segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}$`);
}

const compiled = new WeakMap<RouteRule[], Array<{ method: string; pattern: RegExp }>>();

export function matchesRule(rules: RouteRule[], method: string, path: string): boolean {
  let patterns = compiled.get(rules);
  if (!patterns) compiled.set(rules, (patterns = rules.map((rule) => ({ method: rule.method, pattern: patternOf(rule.path) }))));
  return patterns.some((rule) => rule.method === method && rule.pattern.test(path));
}

/** `application/json`, `application/merge-patch+json`, ... (parameters such as `charset` ignored). */
export function isJsonMediaType(contentType: string): boolean {
  const essence = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return essence === "application/json" || /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+\+json$/.test(essence);
}

export function mediaTypeOf(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}
