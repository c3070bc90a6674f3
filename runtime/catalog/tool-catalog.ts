/** `GET /api/v2/tools`: every built-in tool with gptme's descriptor fields, available or not. */
import { z } from "zod";
import { createToolRegistry, defaultToolNames } from "../tools/registry.js";
import type { ToolDefinition } from "../tools/tool.js";

export interface ToolParameterDescription {
  name: string;
  type: string;
  description: string;
  required: boolean;
}

/** gptme's `ToolOut`. */
export interface ToolDescription {
  name: string;
  desc: string;
  instructions: string;
  block_types: string[];
  is_mcp: boolean;
  is_available: boolean;
  disabled_by_default: boolean;
  parameters: ToolParameterDescription[];
}

export const toolDescriptionFields = [
  "name",
  "desc",
  "instructions",
  "block_types",
  "is_mcp",
  "is_available",
  "disabled_by_default",
  "parameters",
] as const satisfies ReadonlyArray<keyof ToolDescription>;

interface JsonSchemaObject {
  properties?: Record<string, { type?: string | string[]; description?: string; anyOf?: Array<{ type?: string }> }>;
  required?: string[];
}

function parametersOf(tool: ToolDefinition): ToolParameterDescription[] {
  let schema: JsonSchemaObject;
  try {
    schema = z.toJSONSchema(tool.parameters, { unrepresentable: "any" }) as JsonSchemaObject;
  } catch {
    return [];
  }
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const type = property.type ?? property.anyOf?.map((option) => option.type).filter(Boolean).join(" | ") ?? "string";
    return {
      name,
      type: Array.isArray(type) ? type.join(" | ") : type || "string",
      description: property.description ?? "",
      required: required.has(name),
    };
  });
}

function describe(tool: ToolDefinition, defaults: Set<string>): ToolDescription {
  return {
    name: tool.name,
    desc: tool.description,
    instructions: tool.instructions,
    block_types: [...tool.blockTypes],
    is_mcp: false,
    is_available: true,
    disabled_by_default: !defaults.has(tool.name),
    parameters: parametersOf(tool),
  };
}

/** Available tools with their descriptions, then the built-in tools this machine lacks (name only). */
export function describeTools(): ToolDescription[] {
  const available = createToolRegistry({ tools: ["*"] }).all();
  const defaults = new Set(defaultToolNames());
  const names = new Set(available.map((tool) => tool.name));
  const missing = defaultToolNames({ includeUnavailable: true }).filter((name) => !names.has(name));
  return [
    ...available.map((tool) => describe(tool, defaults)),
    ...missing.map((name) => ({
      name,
      desc: "",
      instructions: "",
      block_types: [],
      is_mcp: false,
      is_available: false,
      disabled_by_default: false,
      parameters: [],
    })),
  ];
}
