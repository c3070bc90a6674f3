/** gptme messages and tools in the OpenAI chat-completions request shape. */
import type {
  ChatCompletionContentPart,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions/completions";
import { prepareConversation, type Turn } from "./conversation.js";
import type { ImageInput, ModelMessage, NativeTool } from "./model.js";

export interface OpenAIMessageOptions {
  nativeTools: boolean;
  /** Whether the model reads images; without it each image becomes a line saying it was left out. */
  vision?: boolean;
}

/** OpenAI takes images up to 20 MB (gptme's limit too). */
export const OPENAI_IMAGE_LIMIT = 20 * 1024 * 1024;

/** gptme's parts for an image: its name, then the image (as a data URL). */
function imageParts(image: ImageInput, vision: boolean): ChatCompletionContentPart[] {
  if (!vision) return [{ type: "text", text: `[WARNING: Model doesn't support viewing file: ${image.name}]` }];
  if (image.size > OPENAI_IMAGE_LIMIT) return [{ type: "text", text: "Image size exceeds 20MB. Please upload a smaller image." }];
  return [
    { type: "text", text: `![${image.name}](${image.name}):` },
    { type: "image_url", image_url: { url: `data:${image.mediaType};base64,${image.data}` } },
  ];
}

type UserContent = string | ChatCompletionContentPart[];

function userContent(turn: Extract<Turn, { role: "user" }>, vision: boolean): UserContent {
  if (!turn.images?.length) return turn.content;
  const text: ChatCompletionContentPart[] = turn.content ? [{ type: "text", text: turn.content }] : [];
  return [...text, ...turn.images.flatMap((image) => imageParts(image, vision))];
}

function mergeUserContent(previous: UserContent, next: UserContent): UserContent {
  if (typeof previous === "string" && typeof next === "string") return `${previous}\n\n${next}`;
  const parts = (content: UserContent): ChatCompletionContentPart[] =>
    typeof content === "string" ? (content ? [{ type: "text", text: content }] : []) : content;
  return [...parts(previous), ...parts(next)];
}

/**
 * System prompt messages stay `system`; later system messages are user-side notes (OpenAI-compatible
 * servers such as local chat templates reject a system message after the first turn). Consecutive
 * user-side turns are merged so strict templates see alternating roles. Attached images become
 * `image_url` parts of their user turn.
 */
export function toOpenAIMessages(messages: ModelMessage[], options: OpenAIMessageOptions): ChatCompletionMessageParam[] {
  const { system, turns } = prepareConversation(messages, options);
  const vision = options.vision ?? false;
  const result: ChatCompletionMessageParam[] = system.map((content) => ({ role: "system", content }));
  for (const turn of turns) {
    const previous = result.at(-1);
    if (turn.role === "user") {
      const content = userContent(turn, vision);
      if (previous?.role === "user") {
        previous.content = mergeUserContent(previous.content as UserContent, content);
      } else {
        result.push({ role: "user", content });
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
