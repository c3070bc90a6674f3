/** `# Tools Overview`: each tool's name, description, instructions and examples in the active format. */
import type { ToolDefinition, ToolExampleTurn, ToolUse } from "../../tools/tool.js";
import { serializeToolUse } from "../parse/serialize.js";
import type { ToolFormat } from "../types.js";

export function toolsSection(tools: ToolDefinition[], format: ToolFormat, withExamples: boolean): string {
  const parts = ["# Tools Overview"];
  for (const tool of tools) parts.push(toolDescription(tool, format, withExamples));
  parts.push("*End of the tools overview.*");
  return parts.join("\n\n");
}

function toolDescription(tool: ToolDefinition, format: ToolFormat, withExamples: boolean): string {
  const lines = [`## ${tool.name}`];
  if (tool.description) lines.push(`**Description:** ${tool.description}`);
  if (tool.instructions) lines.push(`**Instructions:** ${tool.instructions}`);
  if (format !== "tool" && tool.blockTypes.length > 0) {
    lines.push(`**Block types:** ${tool.blockTypes.map((blockType) => `\`${blockType}\``).join(", ")}`);
  }
  const examples = withExamples ? renderExamples(tool, format) : "";
  if (examples) lines.push(`### Examples\n\n${examples}`);
  return lines.join("\n\n");
}

/** A tool's example conversation, each turn quoted with its speaker; tool uses written in `format`. */
export function renderExamples(tool: ToolDefinition, format: ToolFormat): string {
  return tool.examples.map((turn) => renderTurn(tool, turn, format)).join("\n\n");
}

function renderTurn(tool: ToolDefinition, turn: ToolExampleTurn, format: ToolFormat): string {
  const speaker = { user: "User", assistant: "Assistant", system: "System" }[turn.role];
  const text = turn.content ? `> ${speaker}: ${turn.content.replace(/\n/g, "\n> ")}` : `> ${speaker}:`;
  if (turn.role !== "assistant" || !turn.toolUse) return text;
  const toolUse: ToolUse = { tool: tool.name, args: turn.toolUse.args, content: turn.toolUse.content };
  if (format === "tool") toolUse.parameters = parametersOf(tool, toolUse);
  return `${text}\n${serializeToolUse(toolUse, format, { blockType: tool.blockTypes[0] })}`;
}

function parametersOf(tool: ToolDefinition, toolUse: ToolUse): Record<string, unknown> | undefined {
  try {
    return tool.fromBlock(toolUse.args, toolUse.content);
  } catch {
    return undefined;
  }
}
