/**
 * gptme HEAD's rerun: the tool uses of the last assistant message run again (each through the
 * usual confirmation), without asking the model; generation then goes on as after any tool.
 */
import type { Message } from "../store/types.js";
import type { ToolRegistry, ToolUse } from "../tools/tool.js";
import { parseToolUses } from "./parse/tool-uses.js";
import { runToolUse, type ToolRunContext, type ToolRunEnding } from "./run-tool-use.js";
import { parseOptionsFor } from "./tool-use-wire.js";
import type { ToolFormat } from "./types.js";

/** The last assistant message and its tool uses (in tool format, also the recorded `@tool(id)` calls). */
export function lastReplyToolUses(messages: Message[], tools: ToolRegistry, format: ToolFormat): { reply?: Message; toolUses: ToolUse[] } {
  const reply = messages.findLast((message) => message.role === "assistant");
  if (!reply) return { toolUses: [] };
  return { reply, toolUses: parseToolUses(reply.content, parseOptionsFor(tools, format)) };
}

/** Runs the last reply's tool uses in order; stops at the first the user stops or interrupts. */
export async function rerunLastReply(context: ToolRunContext): Promise<ToolRunEnding> {
  const { options } = context;
  const messages = await options.store.messages(options.conversationId, options.branch);
  for (const toolUse of lastReplyToolUses(messages, options.tools, options.toolFormat).toolUses) {
    const ending = await runToolUse(toolUse, context);
    if (ending !== "continue") return ending;
  }
  return "continue";
}
