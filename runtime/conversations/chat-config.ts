/** ChatConfig defaults and gptme's merge rule for PATCH. */
import type { ChatConfig, ChatSettings } from "../store/types.js";

export type ChatConfigPatch = Partial<ChatConfig> & { chat?: Record<string, unknown> };

/**
 * No `mcp` by default: a conversation's `config.mcp` overrides the user's and the workspace's
 * `[mcp]` (runtime/mcp/config.ts), so a stored `enabled = false` would switch off MCP everywhere.
 */
export function defaultChatConfig(toolNames: string[]): ChatConfig {
  return {
    chat: { tools: toolNames, tool_format: "markdown", stream: true, interactive: true },
    env: {},
  };
}

/** Later values win when present (not undefined/null); an empty model means "the server's default". */
export function mergeChatConfig(base: ChatConfig, patch: ChatConfigPatch): ChatConfig {
  const chat: ChatSettings = { ...base.chat };
  for (const [key, value] of Object.entries(patch.chat ?? {})) {
    if (value === undefined || value === null) continue;
    if (key === "model" && value === "") {
      delete chat.model;
      continue;
    }
    chat[key] = value;
  }
  const merged: ChatConfig = { ...base, ...patch, chat, env: { ...base.env, ...(patch.env ?? {}) } };
  if (patch.mcp) merged.mcp = { ...(base.mcp ?? {}), ...patch.mcp };
  return merged;
}
