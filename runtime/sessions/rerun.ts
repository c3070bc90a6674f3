/** The checks gptme HEAD makes before a rerun, with its messages. */
import { lastReplyToolUses } from "../agent/rerun.js";
import type { ToolFormat } from "../agent/types.js";
import { BadRequestError, NotFoundError } from "../errors.js";
import type { SessionDependencies } from "./session-manager.js";

/** How many tool uses the last assistant message holds; 400 when there is none to run. */
export async function rerunnableToolUses(dependencies: SessionDependencies, conversationId: string): Promise<number> {
  const conversation = await dependencies.store.get(conversationId);
  if (!conversation) throw new NotFoundError(`Conversation not found: ${conversationId}`);
  const messages = await dependencies.store.messages(conversationId);
  const format = (conversation.config.chat.tool_format ?? "markdown") as ToolFormat;
  const { reply, toolUses } = lastReplyToolUses(messages, dependencies.toolsFor(conversation.config.chat.tools), format);
  if (!reply) throw new BadRequestError("No assistant message found");
  if (toolUses.length === 0) throw new BadRequestError("No tool uses found in the last assistant message");
  return toolUses.length;
}
