/** The MCP part of `/tools`: each configured server with its state and where it is declared, and its tools. */
import { describeSource } from "../../../runtime/mcp/config.js";
import { refreshMcpConfig } from "../../../runtime/mcp/loop-hook.js";
import { stateText } from "../../../runtime/mcp/mcp-tool.js";
import type { Chat } from "../chat/open-chat.js";
import type { Terminal } from "../terminal/terminal.js";

export async function mcpServerLines(chat: Chat, terminal: Terminal): Promise<string[]> {
  const manager = chat.mcp;
  if (!manager) return [];
  const conversation = await chat.conversation();
  await refreshMcpConfig(manager, { userConfigFile: chat.userConfigFile, workspace: conversation.workspace, conversation: conversation.config.mcp });
  const { styles } = terminal;
  if (manager.error) return [styles.apply("red", `MCP is off: ${manager.error}`)];
  const statuses = manager.statuses();
  if (!manager.enabled) return statuses.length > 0 ? [styles.apply("dim", "MCP servers are configured, but MCP is disabled ([mcp] enabled = false).")] : [];
  if (statuses.length === 0) return [];
  const lines = ["MCP servers:"];
  const descriptions = new Map(manager.tools().map(({ server, tool }) => [`${server}.${tool.name}`, tool.description ?? ""]));
  for (const status of statuses) {
    const state = status.state === "running" ? styles.apply("green", stateText(status)) : status.state === "failed" ? styles.apply("red", stateText(status)) : stateText(status);
    lines.push(`  ${styles.apply("bold", status.name)}  ${state}${styles.apply("dim", `  (${status.transport}, ${describeSource(status.source)})`)}`);
    if (status.error) lines.push(...status.error.split("\n").map((line) => styles.apply("dim", `    ${line}`)));
    if (!status.loaded) continue;
    for (const tool of status.tools) lines.push(`    ${tool}  ${(descriptions.get(tool) ?? "").split("\n")[0]}`);
  }
  return lines;
}
