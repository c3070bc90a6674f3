/** The messages the loop writes, and the words it uses to tell the model what happened. */
import type { Message, MessageMetadata } from "../store/types.js";
import type { FinishReason, Usage } from "../models/model.js";

export const INTERRUPTED_MARK = " [INTERRUPTED]";

export function systemMessage(content: string, callId?: string): Message {
  const message: Message = { role: "system", content, timestamp: new Date().toISOString() };
  if (callId) message.call_id = callId;
  return message;
}

export function assistantMessage(content: string, metadata: MessageMetadata): Message {
  return { role: "assistant", content, timestamp: new Date().toISOString(), metadata };
}

export function replyMetadata(modelId: string, usage: Usage | undefined, cost: (modelId: string, usage: Usage) => number): MessageMetadata {
  if (!usage) return { model: modelId };
  return {
    model: modelId,
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cache_read_tokens: usage.cacheReadTokens,
    cache_creation_tokens: usage.cacheCreationTokens,
    cost: cost(modelId, usage),
  };
}

/**
 * What the user (and the model, next turn) is told when a reply ended before its text was done:
 * null for an ordinary end. A reply with no text at all and no reason is said to be empty.
 */
export function endingNote(finish: { reason: FinishReason; explanation?: string } | undefined, replyIsEmpty: boolean): string | null {
  const explanation = finish?.explanation ? ` The provider said: "${finish.explanation}"` : "";
  switch (finish?.reason) {
    case "refusal":
      return `The model declined to answer (a refusal), so the reply ${replyIsEmpty ? "is empty" : "stops there"}.${explanation}`;
    case "content_filter":
      return `The provider's content filter stopped the reply, so it ${replyIsEmpty ? "is empty" : "is incomplete"}.${explanation}`;
    case "length":
      return "The reply was cut off: it reached the model's output limit (max_tokens). Ask to continue, or for a shorter answer.";
    case "context_window":
      return "The reply was cut off: the conversation fills the model's context window. Start a new conversation, or remove messages.";
    default:
      return replyIsEmpty ? "The model ended its reply without any text." : null;
  }
}

export function skippedNote(tool: string): string {
  return `The user declined to run this ${tool} tool use. Do not suggest the same action again unless they ask for it.`;
}

export function stoppedNote(tool: string): string {
  return `The user declined to run this ${tool} tool use and stopped here.`;
}

export function interruptedNote(tool: string): string {
  return `Interrupted by the user: this ${tool} tool use did not run.`;
}

export function unknownToolNote(tool: string): string {
  return `Error: there is no tool named "${tool}".`;
}

export function invalidArgumentsNote(tool: string, argumentsText: string): string {
  return `Error: the arguments of this ${tool} call are not a JSON object: ${argumentsText}`;
}
