/**
 * Reads request bodies once, with a size limit (413), and rejects malformed JSON (400) before a
 * route sees it: chanfana would otherwise treat an unparsable body as `{}`. A body must be declared
 * JSON (415 otherwise, see `body-rules.ts`); a request without a body needs no content type.
 */
import type { MiddlewareHandler } from "hono";
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from "../../runtime/errors.js";
import type { AppEnvironment } from "../bindings.js";
import { isJsonMediaType, matchesRule, mediaTypeOf, multipartRoutes, requestBodyWordedRoutes, routesWithoutBody } from "../body-rules.js";

const methodsWithBody = new Set(["POST", "PUT", "PATCH", "DELETE"]);

async function readLimited(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`Request body too large (limit ${Math.round(limit / 1024 / 1024)} MB)`);
}

function notJson(contentType: string): UnsupportedMediaTypeError {
  const declared = mediaTypeOf(contentType).slice(0, 100);
  return new UnsupportedMediaTypeError(
    declared === ""
      ? "A request body needs Content-Type: application/json"
      : `Unsupported Content-Type ${declared}: send the body as application/json`,
  );
}

export const jsonBody: MiddlewareHandler<AppEnvironment> = async (c, next) => {
  if (!methodsWithBody.has(c.req.method) || matchesRule(routesWithoutBody, c.req.method, c.req.path)) return next();
  const contentType = c.req.header("content-type") ?? "";
  const json = isJsonMediaType(contentType);
  if (!json) {
    if (mediaTypeOf(contentType) === "multipart/form-data" && matchesRule(multipartRoutes, c.req.method, c.req.path)) {
      return next();
    }
    if (Number(c.req.header("content-length") ?? "0") > 0) throw notJson(contentType);
  }
  const text = await readLimited(c.req.raw, c.env.settings.bodyLimitBytes);
  if (!json && text !== "") throw notJson(contentType);
  if (text.trim() !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BadRequestError("Malformed JSON in request body");
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      const wording = matchesRule(requestBodyWordedRoutes, c.req.method, c.req.path) ? "Request body must be a JSON object" : "JSON body must be an object";
      throw new BadRequestError(wording);
    }
  }
  const headers = new Headers(c.req.raw.headers);
  headers.set("content-type", "application/json");
  c.req.raw = new Request(c.req.raw.url, {
    method: c.req.method,
    headers,
    body: text.trim() === "" ? "{}" : text,
    signal: c.req.raw.signal,
  });
  return next();
};
