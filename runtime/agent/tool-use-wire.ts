/** Gives every tool use gptme's `{tool, args, content}` shape, whichever format it came in. */
import type { ToolDefinition, ToolRegistry, ToolUse } from "../tools/tool.js";
import type { ToolUseParseOptions } from "./parse/tool-uses.js";
import type { ToolFormat } from "./types.js";

/**
 * Native calls and XML invokes carry parameters; their args and content come from the tool's
 * `toBlock`, so confirmation shows them like any block (and an edit replaces that content).
 */
export function withBlockShape(toolUse: ToolUse, definition: ToolDefinition | undefined): ToolUse {
  if (!toolUse.parameters || !definition) return toolUse;
  try {
    const block = definition.toBlock(toolUse.parameters);
    return { ...toolUse, args: block.args, content: block.content };
  } catch {
    return { ...toolUse, content: toolUse.content || JSON.stringify(toolUse.parameters) };
  }
}

/** The tool use to run after an edit: new content, same args; parameters are rebuilt from the block. */
export function withEditedContent(toolUse: ToolUse, content: string): ToolUse {
  const edited: ToolUse = { tool: toolUse.tool, args: toolUse.args, content };
  if (toolUse.callId) edited.callId = toolUse.callId;
  return edited;
}

export function wireOf(toolUse: ToolUse): { tool: string; args: string[]; content: string } {
  return { tool: toolUse.tool, args: [...toolUse.args], content: toolUse.content };
}

/** Parser options for a registry: fence languages and XML tags resolve to the registry's tools. */
export function parseOptionsFor(tools: ToolRegistry, format: ToolFormat): ToolUseParseOptions {
  return { format, toolForBlockType: (blockType) => tools.byBlockType(blockType)?.name };
}
