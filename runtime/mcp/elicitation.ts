/**
 * A server's question to the user (MCP form elicitation) in gptme's elicitation vocabulary: a
 * prompt and typed fields in, `accept` with values / `decline` / `cancel` out. Who asks is
 * injected (`AskUser`): a terminal prompt in the CLI; pending questions answered through
 * `POST .../elicit/respond` on the server.
 */
import type { ElicitRequestFormParams, ElicitResult } from "@modelcontextprotocol/sdk/types.js";

export type ElicitationFieldType = "text" | "number" | "integer" | "boolean" | "choice" | "multi_choice";

export interface ElicitationField {
  name: string;
  /** The field's title, else its name. */
  prompt: string;
  description?: string;
  type: ElicitationFieldType;
  /** For `choice` and `multi_choice`. */
  options?: string[];
  required: boolean;
  default?: string;
  /** `email`, `uri`, `date`, `date-time`: shown as a hint, checked by the server. */
  format?: string;
}

export interface ElicitationRequest {
  source: { kind: "mcp"; server: string };
  type: "form";
  /** gptme's wording: `MCP Server '<name>': <message>`. */
  prompt: string;
  fields: ElicitationField[];
}

export type ElicitationValue = string | number | boolean | string[];

export type ElicitationAnswer =
  | { action: "accept"; values: Record<string, ElicitationValue> }
  | { action: "decline" }
  | { action: "cancel" };

/** Asks the user; the signal ends the question when the call it belongs to is interrupted. */
export type AskUser = (request: ElicitationRequest, signal?: AbortSignal) => Promise<ElicitationAnswer>;

type PropertySchema = ElicitRequestFormParams["requestedSchema"]["properties"][string];

export function elicitationRequestOf(server: string, params: ElicitRequestFormParams): ElicitationRequest {
  const schema = params.requestedSchema;
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties).map(([name, property]) => fieldOf(name, property, required.has(name)));
  return { source: { kind: "mcp", server }, type: "form", prompt: `MCP Server '${server}': ${params.message}`, fields };
}

function fieldOf(name: string, property: PropertySchema, required: boolean): ElicitationField {
  const record = property as Record<string, unknown>;
  const field: ElicitationField = { name, prompt: typeof record.title === "string" ? record.title : name, type: "text", required };
  if (typeof record.description === "string") field.description = record.description;
  if (typeof record.format === "string") field.format = record.format;
  if (record.default !== undefined) field.default = Array.isArray(record.default) ? record.default.join(", ") : String(record.default);
  const options = optionsOf(record) ?? optionsOf((record.items ?? {}) as Record<string, unknown>);
  if (record.type === "array") field.type = "multi_choice";
  else if (options) field.type = "choice";
  else if (record.type === "boolean" || record.type === "number" || record.type === "integer") field.type = record.type;
  if (options) field.options = options;
  return field;
}

/** `enum`, or `oneOf`/`anyOf` of `{const}` (titled choices). */
function optionsOf(schema: Record<string, unknown>): string[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum.map(String);
  const variants = (schema.oneOf ?? schema.anyOf) as Array<Record<string, unknown>> | undefined;
  if (Array.isArray(variants) && variants.every((variant) => variant && "const" in variant)) return variants.map((variant) => String(variant.const));
  return undefined;
}

export type FieldParse = { ok: true; value: ElicitationValue | undefined } | { ok: false; message: string };

/** A typed value from what the user wrote (empty: the default, else nothing); a message when it does not fit. */
export function parseFieldValue(field: ElicitationField, text: string): FieldParse {
  const raw = text.trim() === "" ? (field.default ?? "") : text.trim();
  if (raw === "") return field.required ? { ok: false, message: `${field.prompt} is required` } : { ok: true, value: undefined };
  switch (field.type) {
    case "boolean": {
      if (/^(y|yes|true|1)$/i.test(raw)) return { ok: true, value: true };
      if (/^(n|no|false|0)$/i.test(raw)) return { ok: true, value: false };
      return { ok: false, message: "answer yes or no" };
    }
    case "number":
    case "integer": {
      const value = Number(raw);
      if (!Number.isFinite(value) || (field.type === "integer" && !Number.isInteger(value))) return { ok: false, message: `expected ${field.type === "integer" ? "a whole number" : "a number"}` };
      return { ok: true, value };
    }
    case "choice":
      return pick(field, raw);
    case "multi_choice": {
      const picked: string[] = [];
      for (const part of raw.split(",").map((item) => item.trim()).filter(Boolean)) {
        const one = pick(field, part);
        if (!one.ok) return one;
        picked.push(one.value as string);
      }
      return { ok: true, value: picked };
    }
    default:
      return { ok: true, value: raw };
  }
}

/** An option by its text or its 1-based number. */
function pick(field: ElicitationField, raw: string): FieldParse {
  const options = field.options ?? [];
  const byNumber = /^\d+$/.test(raw) ? options[Number(raw) - 1] : undefined;
  const chosen = byNumber ?? options.find((option) => option === raw) ?? options.find((option) => option.toLowerCase() === raw.toLowerCase());
  return chosen === undefined ? { ok: false, message: `choose one of: ${options.join(", ")}` } : { ok: true, value: chosen };
}

/**
 * The MCP result for an answer. Accepted values are re-checked against the fields (a web form may
 * send strings), so the server gets the types its schema asked for; a bad value declines.
 */
export function elicitResultOf(request: ElicitationRequest, answer: ElicitationAnswer): ElicitResult {
  if (answer.action !== "accept") return { action: answer.action };
  const content: Record<string, string | number | boolean | string[]> = {};
  for (const field of request.fields) {
    const given = answer.values[field.name];
    const text = given === undefined ? "" : Array.isArray(given) ? given.join(",") : String(given);
    const parsed = parseFieldValue(field, text);
    if (!parsed.ok) return { action: "decline" };
    if (parsed.value !== undefined) content[field.name] = parsed.value;
  }
  return { action: "accept", content };
}
