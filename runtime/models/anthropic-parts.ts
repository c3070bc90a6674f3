/** Anthropic message replies (stream events or one message) as model parts. */
import type {
  ContentBlock,
  Message as AnthropicMessage,
  RawMessageStreamEvent,
  RefusalStopDetails,
} from "@anthropic-ai/sdk/resources/messages/messages";
import type { FinishReason, ModelPart, Usage } from "./model.js";

type UsageCounts = {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
};

/**
 * Text deltas as they come; a tool call when its block stops (its `input_json_delta` fragments
 * then form the whole arguments); usage (from `message_start`, updated by `message_delta`) and the
 * finish reason at the end (with a refusal's `stop_details.explanation`). Thinking is shown as
 * gptme does, inside `<think>` tags.
 */
export async function* eventsToParts(events: AsyncIterable<RawMessageStreamEvent>): AsyncGenerator<ModelPart> {
  const blocks = new Map<number, { type: string; id: string; name: string; json: string }>();
  const counts: UsageCounts = {};
  let stopReason: string | null | undefined;
  let stopDetails: RefusalStopDetails | null | undefined;
  for await (const event of events) {
    if (event.type === "message_start") {
      Object.assign(counts, definedCounts(event.message.usage));
    } else if (event.type === "content_block_start") {
      const block = event.content_block;
      if (block.type === "tool_use") blocks.set(event.index, { type: block.type, id: block.id, name: block.name, json: "" });
      else blocks.set(event.index, { type: block.type, id: "", name: "", json: "" });
      if (block.type === "text" && block.text) yield { type: "text-delta", text: block.text };
      if (block.type === "thinking") yield { type: "text-delta", text: `<think>\n${block.thinking}` };
    } else if (event.type === "content_block_delta") {
      const delta = event.delta;
      if (delta.type === "text_delta") yield { type: "text-delta", text: delta.text };
      else if (delta.type === "thinking_delta") yield { type: "text-delta", text: delta.thinking };
      else if (delta.type === "input_json_delta") {
        const block = blocks.get(event.index);
        if (block) block.json += delta.partial_json;
      }
    } else if (event.type === "content_block_stop") {
      const block = blocks.get(event.index);
      if (block?.type === "tool_use") yield { type: "tool-call", id: block.id, name: block.name, arguments: block.json || "{}" };
      if (block?.type === "thinking") yield { type: "text-delta", text: "\n</think>\n\n" };
    } else if (event.type === "message_delta") {
      Object.assign(counts, definedCounts(event.usage));
      stopReason = event.delta.stop_reason ?? stopReason;
      stopDetails = event.delta.stop_details ?? stopDetails;
    }
  }
  if (Object.keys(counts).length > 0) yield { type: "usage", usage: toUsage(counts) };
  yield finishPart(stopReason, stopDetails);
}

export function messageToParts(message: AnthropicMessage): ModelPart[] {
  const parts: ModelPart[] = message.content.flatMap((block: ContentBlock): ModelPart[] => {
    if (block.type === "text") return block.text ? [{ type: "text-delta", text: block.text }] : [];
    if (block.type === "thinking") return [{ type: "text-delta", text: `<think>\n${block.thinking}\n</think>\n\n` }];
    if (block.type === "tool_use") {
      return [{ type: "tool-call", id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) }];
    }
    return [];
  });
  parts.push({ type: "usage", usage: toUsage(definedCounts(message.usage)) });
  parts.push(finishPart(message.stop_reason, message.stop_details));
  return parts;
}

function finishPart(reason: string | null | undefined, details: RefusalStopDetails | null | undefined): ModelPart {
  const explanation = details?.explanation?.trim();
  return { type: "finish", reason: toFinishReason(reason), ...(explanation ? { explanation } : {}) };
}

/** `message_delta` repeats some counts as null; only the numbers may overwrite earlier ones. */
function definedCounts(usage: UsageCounts | null | undefined): UsageCounts {
  return Object.fromEntries(Object.entries(usage ?? {}).filter(([, value]) => typeof value === "number"));
}

function toUsage(counts: UsageCounts): Usage {
  return {
    inputTokens: counts.input_tokens ?? 0,
    outputTokens: counts.output_tokens ?? 0,
    cacheReadTokens: counts.cache_read_input_tokens ?? 0,
    cacheCreationTokens: counts.cache_creation_input_tokens ?? 0,
  };
}

function toFinishReason(reason: string | null | undefined): FinishReason {
  if (reason === "end_turn" || reason === "stop_sequence") return "stop";
  if (reason === "tool_use") return "tool_calls";
  if (reason === "max_tokens") return "length";
  if (reason === "model_context_window_exceeded") return "context_window";
  if (reason === "refusal") return "refusal";
  return "other";
}
