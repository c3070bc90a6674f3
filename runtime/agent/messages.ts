/** The messages the loop writes, and the words it uses to tell the model what happened. */
import type { Message, MessageMetadata } from "../store/types.js";
import type { Usage } from "../models/model.js";

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
