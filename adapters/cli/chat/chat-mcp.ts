/**
 * The chat's MCP manager: one per `gptme` run, for the open conversation. Its servers start before
 * the first reply (auto_start) and stop when gptme exits. Interactive runs can approve workspace
 * servers and answer servers' questions; `-n` runs cannot, so those servers stay stopped and
 * servers are not offered elicitation.
 */
import type { AgentLoopOptions, ToolFormat } from "../../../runtime/agent/types.js";
import { mcpLoopOptions } from "../../../runtime/mcp/loop-hook.js";
import { McpManager, timeoutsFromEnvironment } from "../../../runtime/mcp/manager.js";
import { sandboxSpawner } from "../../../runtime/mcp/sandbox-spawner.js";
import type { ToolRegistry } from "../../../runtime/tools/tool.js";
import type { LineReader } from "../terminal/line-reader.js";
import type { Terminal } from "../terminal/terminal.js";
import { mcpNotes, terminalApproval, terminalAsk } from "./mcp-prompts.js";
import type { Chat } from "./open-chat.js";

/** `settle` ends whatever the chat is drawing (a spinner) before a question is asked. */
export async function attachMcp(chat: Chat, terminal: Terminal, interactive?: { reader: LineReader; settle: () => void }): Promise<McpManager> {
  const conversation = await chat.conversation();
  const notes = mcpNotes(terminal, { canApprove: interactive !== undefined });
  const manager = new McpManager({
    workspace: conversation.workspace,
    // stdio servers run where the chat's tools run (unsandboxed unless `--sandbox bwrap`).
    spawner: sandboxSpawner(() => chat.sandboxFor(conversation)),
    timeouts: timeoutsFromEnvironment(chat.env),
    ask: interactive ? terminalAsk(interactive.reader, terminal, interactive.settle) : undefined,
    approve: interactive ? terminalApproval(interactive.reader, terminal, interactive.settle) : undefined,
    onStatus: notes.onStatus,
    onConfigError: notes.onConfigError,
  });
  chat.mcp = manager;
  return manager;
}

/** The loop's tools and `beforeTurn` with MCP's added (the registry as it is without a manager). */
export function withChatMcp(chat: Chat, base: ToolRegistry, toolFormat: ToolFormat): Pick<AgentLoopOptions, "tools" | "beforeTurn"> {
  if (!chat.mcp) return { tools: base };
  return mcpLoopOptions({
    manager: chat.mcp,
    base,
    toolFormat,
    sources: async () => {
      const conversation = await chat.conversation();
      return { userConfigFile: chat.userConfigFile, workspace: conversation.workspace, conversation: conversation.config.mcp };
    },
  });
}
