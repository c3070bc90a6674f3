/** The tools offered to a model for native function calling (`tool` format). */
import { z } from "zod";
import type { NativeTool } from "../models/model.js";
import type { ToolDefinition } from "../tools/tool.js";

/** Each tool's zod parameters as JSON Schema (what the model is asked to send). */
export function nativeToolsOf(definitions: ToolDefinition[]): NativeTool[] {
  return definitions.map((definition) => ({
    name: definition.name,
    description: definition.description,
    parameters: parametersSchema(definition.parameters),
  }));
}

function parametersSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}
