/** The tools offered to a model for native function calling (`tool` format). */
import { z } from "zod";
import type { NativeTool } from "../models/model.js";
import { nativeToolName } from "../models/native-tool-name.js";
import type { ToolDefinition } from "../tools/tool.js";

/**
 * Each tool's parameters as JSON Schema (what the model is asked to send): a tool's own schema
 * (MCP tools) or its zod parameters converted; names mapped to what providers accept.
 */
export function nativeToolsOf(definitions: ToolDefinition[]): NativeTool[] {
  return definitions.map((definition) => ({
    name: nativeToolName(definition.name),
    description: definition.description,
    parameters: definition.jsonSchema ?? parametersSchema(definition.parameters),
  }));
}

function parametersSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}
