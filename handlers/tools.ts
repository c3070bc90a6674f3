/**
 * `GET /api/v2/tools` (every tool with gptme's descriptor fields) and gptme's `QUERY /api/v2/tools`
 * (filters and a projection in the body). QUERY cannot be described in OpenAPI 3.1, so it is a
 * plain Hono handler sharing the request schema; the README documents it.
 */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { BadRequestError, PayloadTooLargeError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";
import { errorResponses, jsonContent } from "./schemas/common.js";
import { parseWith } from "./schemas/validate.js";

type AppContext = Context<AppEnvironment>;

export const ToolParameter = z.object({
  name: z.string(),
  type: z.string(),
  description: z.string(),
  required: z.boolean(),
});

export const ToolDescription = z.object({
  name: z.string().describe("Tool name (also its block type)"),
  desc: z.string(),
  instructions: z.string(),
  block_types: z.array(z.string()),
  is_mcp: z.boolean(),
  is_available: z.boolean(),
  disabled_by_default: z.boolean(),
  parameters: z.array(ToolParameter),
  server: z.string().optional().describe("MCP tools: the server it belongs to"),
  server_state: z.string().optional().describe("MCP tools: the server's state (running, stopped, failed, ...)"),
});

export const ToolQueryBody = z.object({
  filters: z
    .array(
      z.object({
        field: z.string({ error: "filters[].field must be a string" }),
        op: z.enum(["eq", "neq", "contains", "in", "regex"], {
          error: (issue) => `Invalid filter op ${JSON.stringify(issue.input)}: expected eq, neq, contains, in or regex`,
        }),
        value: z.union([z.string(), z.boolean(), z.array(z.string())], {
          error: "filters[].value must be a string, a boolean or a list of strings",
        }),
      }),
      { error: "filters must be a list" },
    )
    .optional(),
  fields: z.array(z.string(), { error: "fields must be a list of strings" }).nullable().optional(),
});

export class ListTools extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["tools"],
    summary: "Every built-in tool: description, instructions, block types, availability, parameters",
    description:
      "The same list filtered server-side: send `QUERY /api/v2/tools` with `{filters: [{field, op, value}], fields}` " +
      "(HTTP QUERY cannot be described in OpenAPI 3.1; see the README).",
    responses: { "200": jsonContent(z.object({ tools: z.array(ToolDescription) }), "Tools"), ...errorResponses(401) },
  };

  async handle(c: AppContext) {
    return c.json({ tools: c.env.tools.describe() });
  }
}

/** Reads a QUERY body (the JSON middleware only reads POST/PUT/PATCH/DELETE), with the same size limit. */
async function readQueryBody(c: AppContext): Promise<unknown> {
  const limit = c.env.settings.bodyLimitBytes;
  const tooLarge = () => new PayloadTooLargeError(`Request body too large (limit ${Math.round(limit / 1024 / 1024)} MB)`);
  const declared = Number(c.req.header("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = c.req.raw.body?.getReader();
  for (;;) {
    const next = reader ? await reader.read() : { done: true as const, value: undefined };
    if (next.done) break;
    size += next.value.byteLength;
    if (size > limit) {
      await reader?.cancel();
      throw tooLarge();
    }
    chunks.push(next.value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BadRequestError("Malformed JSON in request body");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new BadRequestError("JSON body must be an object");
  return body;
}

export async function queryToolsHandler(c: AppContext) {
  const query = parseWith(ToolQueryBody, await readQueryBody(c));
  return c.json({ tools: await c.env.tools.query(query) });
}
