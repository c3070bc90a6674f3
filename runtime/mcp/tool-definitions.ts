/**
 * Each MCP tool as a tool the loop can offer, named `<server>.<tool>` as gptme names it: its block
 * type is that name, its content (or native call) is the JSON object of arguments, its JSON Schema
 * goes to the model as the server gave it. Calls go through the conversation's manager.
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ToolDefinition } from "../tools/tool.js";
import type { McpManager, McpToolEntry } from "./manager.js";
import { McpServerError } from "./errors.js";
import { resultText } from "./tool-results.js";

/** Tool names that fit a fence language, an XML tag and a recorded `@name(id)` call. */
const TOOL_NAME_PATTERN = /^[A-Za-z0-9_][\w.-]*$/;

export function qualifiedToolName(server: string, tool: string): string {
  return `${server}.${tool}`;
}

/** Definitions of the tools the manager offers now; a definition is built once per listed tool. */
export function mcpToolDefinitions(manager: McpManager, cache: WeakMap<Tool, ToolDefinition> = new WeakMap()): ToolDefinition[] {
  const definitions: ToolDefinition[] = [];
  for (const entry of manager.tools()) {
    if (!TOOL_NAME_PATTERN.test(entry.tool.name)) continue;
    let definition = cache.get(entry.tool);
    if (!definition) {
      definition = mcpToolDefinition(entry, manager);
      cache.set(entry.tool, definition);
    }
    definitions.push(definition);
  }
  return definitions;
}

export function mcpToolDefinition(entry: McpToolEntry, manager: McpManager): ToolDefinition {
  const { server, tool } = entry;
  const name = qualifiedToolName(server, tool.name);
  const schema = inputSchemaOf(tool);
  const example = JSON.stringify(exampleArguments(schema), null, 2);
  return {
    name,
    description: `[${server}] ${tool.description ?? tool.title ?? tool.name}`.trim(),
    instructions: instructionsOf(tool),
    examples: [{ role: "assistant", content: "", toolUse: { args: [], content: example } }],
    blockTypes: [name],
    parameters: argumentsSchema(schema),
    jsonSchema: schema,
    isAvailable: () => true,
    fromBlock(_args, content) {
      if (content.trim() === "") return {};
      let value: unknown;
      try {
        value = JSON.parse(content);
      } catch {
        throw new Error(`The content of a ${name} block must be a JSON object with its arguments, for example:\n${example}`);
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new Error(`The content of a ${name} block must be a JSON object with its arguments, for example:\n${example}`);
      }
      return value as Record<string, unknown>;
    },
    toBlock: (parameters) => ({ args: [], content: JSON.stringify(parameters, null, 2) }),
    async execute(parameters, context) {
      try {
        const result = await manager.callTool(server, tool.name, parameters, { signal: context.signal, onProgress: context.onOutput });
        return await resultText(result, { save: (file, body) => context.sandbox.outputs.write(file, body), toolName: name });
      } catch (error) {
        if (context.signal.aborted) return `Interrupted: the call to ${name} was cancelled (the MCP server "${server}" keeps running).`;
        if (error instanceof McpServerError) return `Error: ${error.message}`;
        throw error;
      }
    },
  };
}

/** The tool's input schema as a JSON Schema object a provider accepts (`$schema` dropped, `properties` present). */
function inputSchemaOf(tool: Tool): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = (tool.inputSchema ?? { type: "object" }) as Record<string, unknown>;
  return { ...schema, type: "object", properties: schema.properties ?? {} };
}

/** gptme's example: the required parameters with `<type>` placeholders. */
function exampleArguments(schema: Record<string, unknown>): Record<string, string> {
  const properties = schema.properties as Record<string, { type?: unknown }>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  return Object.fromEntries(required.filter((key) => key in properties).map((key) => [key, `<${String(properties[key]?.type ?? "string")}>`]));
}

/** gptme's hints from the tool's annotations. */
function instructionsOf(tool: Tool): string {
  const annotations = tool.annotations ?? {};
  const hints: string[] = [];
  if (annotations.readOnlyHint) hints.push("read-only");
  if (annotations.destructiveHint !== false && !annotations.readOnlyHint) hints.push("destructive");
  if (annotations.idempotentHint) hints.push("idempotent");
  if (annotations.openWorldHint === false) hints.push("closed-world");
  const lines = ["Its arguments are one JSON object (the block's content)."];
  if (hints.length > 0) lines.push(`Hints: ${hints.join(", ")}.`);
  return lines.join(" ");
}

/**
 * Arguments are checked by the server against its schema; here they only need to be an object.
 * Values that arrive as strings (XML `<parameter>` elements) are read as JSON where the schema
 * asks for a number, boolean, object or array.
 */
function argumentsSchema(schema: Record<string, unknown>): z.ZodType<Record<string, unknown>> {
  const properties = schema.properties as Record<string, { type?: unknown }>;
  return z.preprocess((value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    const coerced: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [key, item] of Object.entries(coerced)) {
      const type = properties[key]?.type;
      if (typeof item !== "string" || type === undefined || type === "string") continue;
      try {
        coerced[key] = JSON.parse(item);
      } catch {
        // Left as given: the server explains what it expected.
      }
    }
    return coerced;
  }, z.record(z.string(), z.unknown()));
}
