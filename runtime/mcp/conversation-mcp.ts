/**
 * MCP in the server: one manager per conversation (`McpManagers`), its stdio servers spawned in
 * the conversation's sandbox, its configuration read before every turn from the user's config
 * file, the workspace's `gptme.toml` and the conversation's `config.mcp`. Who approves a
 * workspace server and who answers a server's question is the conversation's live session: it
 * registers those hooks for each generation (approvals and questions only happen during one).
 */
import type { AgentLoopOptions, ToolFormat } from "../agent/types.js";
import type { Sandbox } from "../sandbox/types.js";
import type { ToolRegistry } from "../tools/tool.js";
import type { McpConfigSources } from "./config.js";
import type { AskUser } from "./elicitation.js";
import { mcpLoopOptions, refreshMcpConfig } from "./loop-hook.js";
import { timeoutsFromEnvironment, type McpApprovalRequest, type McpServerStatus, type McpTimeouts } from "./manager.js";
import { McpManagers } from "./managers.js";
import { sandboxSpawner } from "./sandbox-spawner.js";
import { mcpToolDescriptors, type McpToolDescriptor } from "./tool-descriptors.js";

/** What a generation lends its conversation's MCP servers: the user, through the session's clients. */
export interface McpUserHooks {
  approve(request: McpApprovalRequest): Promise<boolean>;
}

export interface McpLoopInput {
  conversationId: string;
  workspace: string;
  /** The conversation's stored `config.mcp`, read before each turn (a PATCH may change it mid-run). */
  conversationConfig: () => Promise<unknown>;
  base: ToolRegistry;
  toolFormat: ToolFormat;
  hooks: McpUserHooks;
}

/** A conversation's MCP state as the surfaces show it (web settings, `GET /api/v2/tools`). */
export interface McpOverview {
  enabled: boolean;
  /** A configuration error (file and key named); MCP stays off for the conversation until it is fixed. */
  error: string | null;
  servers: McpServerStatus[];
  tools: McpToolDescriptor[];
}

export interface ConversationMcp {
  loopOptions(input: McpLoopInput): Promise<Pick<AgentLoopOptions, "tools" | "beforeTurn">>;
  /** Reads the configuration (starting nothing) and reports the servers and the tools offered. */
  overview(conversationId: string, workspace: string, conversationConfig: unknown): Promise<McpOverview>;
  /**
   * The MCP tools known in this server process: those of every conversation's servers that started
   * at least once, each name once (a running server's entry first), with its server and state.
   */
  knownTools(): McpToolDescriptor[];
  /** Stops the conversation's servers (it went idle or was deleted); its approvals are forgotten. */
  close(conversationId: string): Promise<void>;
  closeAll(): Promise<void>;
}

export interface ConversationMcpOptions {
  /** `~/.config/gptme/config.toml`; null: only the workspace and the conversation configure MCP. */
  userConfigFile: string | null;
  sandboxFor: (conversationId: string, workspace: string) => Sandbox;
  env: NodeJS.ProcessEnv;
  timeouts?: Partial<McpTimeouts>;
  /** Asks the conversation's user a server's question (`elicit_pending`); absent: questions are declined. */
  ask?: (conversationId: string, ...question: Parameters<AskUser>) => ReturnType<AskUser>;
  /** Every server state change, for the conversation's event stream. */
  onStatus?: (conversationId: string, status: McpServerStatus) => void;
}

export function createConversationMcp(options: ConversationMcpOptions): ConversationMcp {
  const hooks = new Map<string, McpUserHooks>();
  const timeouts = { ...timeoutsFromEnvironment(options.env), ...options.timeouts };
  const managers = new McpManagers((conversationId, workspace) => ({
    workspace,
    spawner: sandboxSpawner(() => options.sandboxFor(conversationId, workspace)),
    timeouts,
    approve: async (request) => (await hooks.get(conversationId)?.approve(request)) ?? false,
    // Questions come during a tool call, so during a generation; any other time nobody is asked.
    ask: async (request, signal) =>
      hooks.has(conversationId) && options.ask ? options.ask(conversationId, request, signal) : { action: "decline" },
    // Only while a generation lent its hooks: a closing or merely inspected conversation stays quiet.
    onStatus: (status) => hooks.has(conversationId) && options.onStatus?.(conversationId, status),
  }));
  const sources = (workspace: string, conversation: unknown): McpConfigSources => ({
    userConfigFile: options.userConfigFile ?? "",
    workspace,
    conversation,
  });

  return {
    async loopOptions(input) {
      hooks.set(input.conversationId, input.hooks);
      const manager = await managers.forConversation(input.conversationId, input.workspace);
      return mcpLoopOptions({
        manager,
        base: input.base,
        toolFormat: input.toolFormat,
        sources: async () => sources(input.workspace, await input.conversationConfig()),
      });
    },
    async overview(conversationId, workspace, conversationConfig) {
      const { manager, kept } = managers.peek(conversationId, workspace);
      try {
        await refreshMcpConfig(manager, sources(workspace, conversationConfig));
        return {
          enabled: manager.enabled,
          error: manager.error ?? null,
          servers: manager.statuses(),
          tools: mcpToolDescriptors(manager),
        };
      } finally {
        // A manager made only to read the configuration started nothing; it is not kept.
        if (!kept) await manager.close();
      }
    },
    knownTools() {
      const byName = new Map<string, McpToolDescriptor>();
      for (const tool of managers.all().flatMap((manager) => mcpToolDescriptors(manager))) {
        const known = byName.get(tool.name);
        if (!known || (known.server_state !== "running" && tool.server_state === "running")) byName.set(tool.name, tool);
      }
      return [...byName.values()];
    },
    async close(conversationId) {
      hooks.delete(conversationId);
      await managers.close(conversationId);
    },
    async closeAll() {
      hooks.clear();
      await managers.closeAll();
    },
  };
}
