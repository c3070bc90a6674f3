/** Writes a tool use the way a model is asked to write it: for prompt examples and for recording native calls. */
import type { ToolUse } from "../../tools/tool.js";
import type { ToolFormat } from "../types.js";
import { fenceFor } from "./markdown-blocks.js";
import { encodeAttribute } from "./xml-tool-uses.js";

export interface SerializeOptions {
  /** The fence language / XML tag to write; defaults to the tool name. */
  blockType?: string;
}

/**
 * markdown: a fence (longer than any fence inside the content); xml: `<tool-use>` with an `args`
 * attribute; tool: `@tool(call_id): {json}` (`@tool: {json}` without a call id, as in examples).
 * In tool format the parameters are written; a tool use without them writes `{args?, content}`.
 */
export function serializeToolUse(toolUse: ToolUse, format: ToolFormat, options: SerializeOptions = {}): string {
  const blockType = options.blockType ?? toolUse.tool;
  const argumentText = toolUse.args.join(" ");
  if (format === "markdown") {
    const fence = fenceFor(toolUse.content);
    return `${fence}${blockType}${argumentText ? ` ${argumentText}` : ""}\n${toolUse.content}\n${fence}`;
  }
  if (format === "xml") {
    const attribute = argumentText ? ` args="${encodeAttribute(argumentText)}"` : "";
    return `<tool-use>\n<${blockType}${attribute}>\n${toolUse.content}\n</${blockType}>\n</tool-use>`;
  }
  const parameters = toolUse.parameters ?? fallbackParameters(toolUse);
  return `@${toolUse.tool}${toolUse.callId ? `(${toolUse.callId})` : ""}: ${JSON.stringify(parameters)}`;
}

function fallbackParameters(toolUse: ToolUse): Record<string, unknown> {
  return toolUse.args.length > 0 ? { args: toolUse.args.join(" "), content: toolUse.content } : { content: toolUse.content };
}
