/** gptme messages and tools in the Anthropic messages request shape, with prompt-cache breakpoints. */
import type {
  ContentBlockParam,
  MessageParam,
  TextBlockParam,
  Tool,
} from "@anthropic-ai/sdk/resources/messages/messages";
import { prepareConversation, type Turn } from "./conversation.js";
import type { ImageInput, ModelMessage, NativeTool } from "./model.js";

export interface AnthropicConversation {
  system: TextBlockParam[] | undefined;
  messages: MessageParam[];
}

/** Anthropic wants a user turn first; a conversation that starts with the assistant gets this one. */
const conversationStart = "<system>\nThe conversation starts here.\n</system>";

/**
 * Later system messages and tool results become user turns (tool results first, as the API
 * requires right after a `tool_use`), and consecutive same-role turns are merged so roles alternate.
 * Two cache breakpoints: the system prompt (which also covers the tools before it) and the last
 * message, so the next turn of an agent loop reads the whole history from the cache.
 */
export function toAnthropicConversation(messages: ModelMessage[], options: { nativeTools: boolean }): AnthropicConversation {
  const { system, turns } = prepareConversation(messages, options);
  const result: MessageParam[] = [];
  for (const turn of turns) {
    const role = turn.role === "assistant" ? "assistant" : "user";
    const blocks = toBlocks(turn);
    if (blocks.length === 0) continue;
    const previous = result.at(-1);
    if (previous?.role === role) {
      previous.content = mergeBlocks(previous.content as ContentBlockParam[], blocks);
    } else {
      result.push({ role, content: blocks });
    }
  }
  if (result[0]?.role === "assistant") {
    result.unshift({ role: "user", content: [{ type: "text", text: conversationStart }] });
  }
  const systemBlocks: TextBlockParam[] = system.filter(Boolean).map((text) => ({ type: "text", text }));
  markCacheBreakpoint(systemBlocks.at(-1));
  markCacheBreakpoint((result.at(-1)?.content as ContentBlockParam[] | undefined)?.at(-1));
  return { system: systemBlocks.length > 0 ? systemBlocks : undefined, messages: result };
}

export function toAnthropicTools(tools: NativeTool[]): Tool[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: { type: "object", ...tool.parameters } as Tool.InputSchema,
  }));
}

/** Anthropic takes images up to 5 MB (gptme's limit too). */
export const ANTHROPIC_IMAGE_LIMIT = 5 * 1024 * 1024;

/** gptme's blocks for an image: its name, then the image. */
function imageBlocks(image: ImageInput): ContentBlockParam[] {
  if (image.size > ANTHROPIC_IMAGE_LIMIT) return [{ type: "text", text: "Image size exceeds 5MB. Please upload a smaller image." }];
  return [
    { type: "text", text: `![${image.name}](${image.name}):` },
    {
      type: "image",
      source: { type: "base64", media_type: image.mediaType as "image/png", data: image.data },
    },
  ];
}

function toBlocks(turn: Turn): ContentBlockParam[] {
  if (turn.role === "user") {
    const text: ContentBlockParam[] = turn.content ? [{ type: "text", text: turn.content }] : [];
    return [...text, ...(turn.images ?? []).flatMap(imageBlocks)];
  }
  if (turn.role === "tool") {
    return [{ type: "tool_result", tool_use_id: turn.callId, content: turn.content || "(no output)" }];
  }
  // The API rejects assistant text that ends in whitespace when it is the last turn.
  const text = turn.text.trimEnd();
  return [
    ...(text ? [{ type: "text", text } as const] : []),
    ...turn.toolCalls.map((call) => ({
      type: "tool_use" as const,
      id: call.id,
      name: call.name,
      input: JSON.parse(call.arguments) as Record<string, unknown>,
    })),
  ];
}

function mergeBlocks(previous: ContentBlockParam[], next: ContentBlockParam[]): ContentBlockParam[] {
  const all = [...previous, ...next];
  return [...all.filter((block) => block.type === "tool_result"), ...all.filter((block) => block.type !== "tool_result")];
}

function markCacheBreakpoint(block: ContentBlockParam | undefined): void {
  if (block && "type" in block && block.type !== "thinking" && block.type !== "redacted_thinking") {
    (block as TextBlockParam).cache_control = { type: "ephemeral" };
  }
}
