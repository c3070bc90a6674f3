/**
 * MCP tools as `GET /api/v2/tools` lists tools (gptme's ToolOut: name, desc, instructions,
 * block_types, is_mcp, is_available, disabled_by_default, parameters), plus the server and its state.
 */
import type { McpManager, McpServerState } from "./manager.js";
import { mcpToolDefinitions } from "./tool-definitions.js";

export interface McpToolDescriptor {
  name: string;
  desc: string;
  instructions: string;
  block_types: string[];
  is_mcp: true;
  is_available: boolean;
  disabled_by_default: false;
  parameters: Array<{ name: string; type: string; description: string; required: boolean }>;
  server: string;
  server_state: McpServerState;
}

export function mcpToolDescriptors(manager: McpManager): McpToolDescriptor[] {
  const states = new Map(manager.statuses().map((status) => [status.name, status.state]));
  return mcpToolDefinitions(manager).map((definition) => {
    const server = definition.name.slice(0, definition.name.indexOf("."));
    const schema = definition.jsonSchema ?? {};
    const properties = (schema.properties ?? {}) as Record<string, { type?: unknown; description?: unknown }>;
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    const state = states.get(server) ?? "stopped";
    return {
      name: definition.name,
      desc: definition.description,
      instructions: definition.instructions,
      block_types: definition.blockTypes,
      is_mcp: true,
      is_available: state !== "disabled" && state !== "needs-approval",
      disabled_by_default: false,
      parameters: Object.entries(properties).map(([name, property]) => ({
        name,
        type: typeof property.type === "string" ? property.type : JSON.stringify(property.type ?? "string"),
        description: typeof property.description === "string" ? property.description : "",
        required: required.has(name),
      })),
      server,
      server_state: state,
    };
  });
}
