/**
 * A conversation's tools with its MCP tools added: the built-in registry as it is, then the `mcp`
 * tool (when MCP is enabled) and every tool of its loaded servers, looked up by name, by the
 * function name a native call used (`everything__echo`) and by block type. The set follows the
 * manager, so a server loaded mid-run is offered from the next turn on.
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { nativeToolName } from "../models/native-tool-name.js";
import { DEFAULT_OUTPUT_BUDGET, previewTool, runTool } from "../tools/define-tool.js";
import type { HeadTailBudget } from "../tools/output-storage.js";
import type { ToolDefinition, ToolRegistry } from "../tools/tool.js";
import type { McpManager } from "./manager.js";
import { createMcpTool } from "./mcp-tool.js";
import { mcpToolDefinitions } from "./tool-definitions.js";

export interface McpToolRegistry extends ToolRegistry {
  /** The MCP part only: the `mcp` tool and the servers' tools. */
  mcpTools(): ToolDefinition[];
}

export function withMcpTools(base: ToolRegistry, manager: McpManager, budget: HeadTailBudget = DEFAULT_OUTPUT_BUDGET): McpToolRegistry {
  const managementTool = createMcpTool(manager);
  const cache = new WeakMap<Tool, ToolDefinition>();
  const mcpTools = (): ToolDefinition[] => (manager.enabled ? [managementTool, ...mcpToolDefinitions(manager, cache)] : []);
  const find = (name: string): ToolDefinition | undefined => {
    const tools = mcpTools();
    return tools.find((tool) => tool.name === name) ?? tools.find((tool) => nativeToolName(tool.name) === name);
  };
  const isBase = (name: string) => base.get(name) !== undefined || base.byBlockType(name) !== undefined;
  return {
    mcpTools,
    all: () => [...base.all(), ...mcpTools().filter((tool) => !isBase(tool.name))],
    get: (name) => base.get(name) ?? find(name),
    byBlockType: (blockType) => base.byBlockType(blockType) ?? mcpTools().find((tool) => tool.blockTypes.includes(blockType)),
    async execute(toolUse, context) {
      if (isBase(toolUse.tool)) return base.execute(toolUse, context);
      const tool = find(toolUse.tool);
      return tool ? runTool(tool, toolUse, context, budget) : base.execute(toolUse, context);
    },
    async preview(toolUse, context) {
      if (isBase(toolUse.tool)) return base.preview(toolUse, context);
      const tool = find(toolUse.tool);
      return tool ? previewTool(tool, toolUse, context) : base.preview(toolUse, context);
    },
  };
}
