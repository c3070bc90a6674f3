/** gptme messages and tools in the OpenAI chat-completions request shape. */
import type {
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions/completions";
import type { Message } from "../store/types.js";
import { prepareConversation } from "./conversation.js";
import type { NativeTool } from "./model.js";

/**
 * System prompt messages stay `system`; later system messages are user-side notes (OpenAI-compatible
 * servers such as local chat templates reject a system message after the first turn). Consecutive
 * user-side turns are merged so strict templates see alternating roles.
 */
export function toOpenAIMessages(messages: Message[], options: { nativeTools: boolean }): ChatCompletionMessageParam[] {
  const { system, turns } = prepareConversation(messages, options);
  const result: ChatCompletionMessageParam[] = system.map((content) => ({ role: "system", content }));
  for (const turn of turns) {
    const previous = result.at(-1);
    if (turn.role === "user") {
      if (previous?.role === "user" && typeof previous.content === "string") {
        previous.content += "\n\n" + turn.content;
      } else {
        result.push({ role: "user", content: turn.content });
      }
    } else if (turn.role === "tool") {
      result.push({ role: "tool", tool_call_id: turn.callId, content: turn.content });
    } else if (turn.toolCalls.length > 0) {
      result.push({
        role: "assistant",
        content: turn.text || null,
        tool_calls: turn.toolCalls.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.arguments },
        })),
      });
    } else if (turn.text) {
      result.push({ role: "assistant", content: turn.text });
    }
  }
  return result;
}

export function toOpenAITools(tools: NativeTool[]): ChatCompletionFunctionTool[] {
  return tools.map((tool) => ({
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}
