/**
 * What the model is told about MCP each turn, after the stored system prompt: the tools of the
 * loaded servers in the conversation's tool format (with their JSON Schema for the block formats;
 * native calls carry it themselves), and the servers that are not available and why.
 */
import { renderExamples } from "../agent/prompt/tools-section.js";
import type { ToolFormat } from "../agent/types.js";
import type { Message } from "../store/types.js";
import type { ToolDefinition } from "../tools/tool.js";
import type { McpManager, McpServerStatus } from "./manager.js";
import { stateText } from "./mcp-tool.js";

const callHow: Record<ToolFormat, string> = {
  markdown: "write a code block whose language is the tool's name and whose content is the JSON object of its arguments",
  xml: "write `<tool-use><NAME>{json arguments}</NAME></tool-use>` with the tool's name as the tag",
  tool: "call it as a function with its arguments",
};

export function mcpPromptMessages(manager: McpManager, tools: ToolDefinition[], format: ToolFormat): Message[] {
  if (!manager.enabled || manager.statuses().length === 0) return [];
  const unavailable = manager.statuses().filter((status) => !status.loaded && status.state !== "disabled");
  const parts = ["# MCP tools", `Tools from MCP servers (Model Context Protocol), named \`<server>.<tool>\`. To use one, ${callHow[format]}.`];
  // The `mcp` tool first: it is how a server that is not loaded gets loaded.
  for (const tool of [...tools].sort((left, right) => Number(right.name === "mcp") - Number(left.name === "mcp"))) parts.push(toolText(tool, format));
  if (unavailable.length > 0) {
    parts.push(["## MCP servers not loaded", ...unavailable.map(unavailableLine), "", "Load one with the `mcp` tool (`load <server>`)."].join("\n"));
  }
  const body = parts.join("\n\n");
  const content = format === "xml" ? `<mcp-tools>\n${body}\n</mcp-tools>` : body;
  return [{ role: "system", content, timestamp: new Date().toISOString(), hide: true, pinned: true }];
}

function toolText(tool: ToolDefinition, format: ToolFormat): string {
  const lines = [`## ${tool.name}`, `**Description:** ${tool.description}`, `**Instructions:** ${tool.instructions}`];
  if (format !== "tool" && tool.jsonSchema) lines.push(`**Parameters (JSON Schema):**\n\`\`\`json\n${JSON.stringify(tool.jsonSchema, null, 2)}\n\`\`\``);
  const examples = renderExamples(tool, format);
  if (examples) lines.push(`### Example\n\n${examples}`);
  return lines.join("\n\n");
}

function unavailableLine(status: McpServerStatus): string {
  const error = status.error ? `: ${status.error.split("\n")[0]}` : "";
  return `- ${status.name}: ${stateText(status)}${error}`;
}
