/**
 * How a conversation's MCP manager plugs into the agent loop: the tools with MCP's added, and a
 * `beforeTurn` that re-reads the configuration, starts the servers (auto_start) before the first
 * reply, and tells the model about the MCP tools.
 *
 *   const mcp = mcpLoopOptions({ manager, base: registry, toolFormat, sources: () => ({ ... }) });
 *   await runAgentLoop({ ...options, tools: mcp.tools, beforeTurn: mcp.beforeTurn });
 */
import type { AgentLoopOptions, ToolFormat } from "../agent/types.js";
import type { ToolRegistry } from "../tools/tool.js";
import { McpConfigurationError, resolveMcpConfig, type McpConfigSources } from "./config.js";
import type { McpManager } from "./manager.js";
import { mcpPromptMessages } from "./prompt-section.js";
import { withMcpTools, type McpToolRegistry } from "./tool-registry.js";

export interface McpLoopHookOptions {
  manager: McpManager;
  base: ToolRegistry;
  toolFormat: ToolFormat;
  /** Where the configuration is read from, asked before every turn (the conversation's config may change). */
  sources: () => McpConfigSources | Promise<McpConfigSources>;
}

export interface McpLoopOptions {
  tools: McpToolRegistry;
  beforeTurn: NonNullable<AgentLoopOptions["beforeTurn"]>;
}

export function mcpLoopOptions(options: McpLoopHookOptions): McpLoopOptions {
  const tools = withMcpTools(options.base, options.manager);
  return {
    tools,
    beforeTurn: async () => {
      await refreshMcpConfig(options.manager, await options.sources());
      await options.manager.autoStart();
      return { systemMessages: mcpPromptMessages(options.manager, tools.mcpTools(), options.toolFormat) };
    },
  };
}

/** Reads the configuration into the manager; a bad file becomes the manager's error, not a failed turn. */
export async function refreshMcpConfig(manager: McpManager, sources: McpConfigSources): Promise<void> {
  try {
    await manager.configure(resolveMcpConfig(sources));
  } catch (error) {
    if (!(error instanceof McpConfigurationError)) throw error;
    await manager.configure({ error: error.message });
  }
}
