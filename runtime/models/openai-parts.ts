/** OpenAI chat-completion replies (streamed chunks or one completion) as model parts. */
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions/completions";
import type { CompletionUsage } from "openai/resources/completions";
import type { FinishReason, ModelPart, Usage } from "./model.js";

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

/** Reasoning some compatible providers stream beside the content (DeepSeek, OpenRouter, Groq). */
type ReasoningDelta = { reasoning_content?: string | null; reasoning?: string | null };

/**
 * Text deltas as they come; tool calls once their argument fragments are complete (at the finish
 * chunk); usage, sent after the finish chunk under `include_usage`; then the finish reason.
 * Reasoning is shown as gptme does, inside `<think>` tags. A `refusal` (the model's words instead
 * of content) ends the reply as a refusal with those words as its explanation.
 */
export async function* chunksToParts(chunks: AsyncIterable<ChatCompletionChunk>): AsyncGenerator<ModelPart> {
  const converter = new ChunkConverter();
  for await (const chunk of chunks) yield* converter.push(chunk);
  yield* converter.end();
}

/**
 * `chunksToParts` one chunk at a time, synchronously: the provider's stream loop calls it without
 * an async generator of its own per chunk (a layer of promises on every token).
 */
export class ChunkConverter {
  private readonly calls: PendingCall[] = [];
  private finish: FinishReason | undefined;
  private usage: Usage | undefined;
  private thinking = false;
  private sawToolCalls = false;
  private refusal = "";

  /** The parts this chunk completes, in order (often none or one). */
  push(chunk: ChatCompletionChunk): ModelPart[] {
    if (chunk.usage) this.usage = toUsage(chunk.usage);
    const choice = chunk.choices?.[0];
    if (!choice) return [];
    const delta = choice.delta ?? {};
    // The common case, a plain text delta, without building anything else.
    if (delta.content && !this.thinking && !delta.tool_calls && !delta.refusal && !choice.finish_reason && !hasReasoning(delta)) {
      return [{ type: "text-delta", text: delta.content }];
    }
    const parts: ModelPart[] = [];
    const reasoning = (delta as ReasoningDelta).reasoning_content ?? (delta as ReasoningDelta).reasoning;
    if (reasoning) {
      parts.push({ type: "text-delta", text: this.thinking ? reasoning : `<think>\n${reasoning}` });
      this.thinking = true;
    }
    if (this.thinking && (delta.content || delta.tool_calls?.length || choice.finish_reason)) {
      parts.push({ type: "text-delta", text: "\n</think>\n\n" });
      this.thinking = false;
    }
    if (delta.content) parts.push({ type: "text-delta", text: delta.content });
    if (delta.refusal) this.refusal += delta.refusal;
    for (const fragment of delta.tool_calls ?? []) {
      addFragment(this.calls, fragment);
      this.sawToolCalls = true;
    }
    if (choice.finish_reason) {
      this.finish = toFinishReason(choice.finish_reason);
      parts.push(...completeCalls(this.calls.splice(0)));
    }
    return parts;
  }

  /** The stream ended: open reasoning closed, remaining tool calls, usage, then the finish. */
  end(): ModelPart[] {
    const parts: ModelPart[] = [];
    if (this.thinking) parts.push({ type: "text-delta", text: "\n</think>\n\n" });
    parts.push(...completeCalls(this.calls));
    if (this.usage) parts.push({ type: "usage", usage: this.usage });
    parts.push(finishPart(this.finish ?? (this.sawToolCalls ? "tool_calls" : "other"), this.refusal));
    return parts;
  }
}

function hasReasoning(delta: object): boolean {
  return Boolean((delta as ReasoningDelta).reasoning_content ?? (delta as ReasoningDelta).reasoning);
}

export function completionToParts(completion: ChatCompletion): ModelPart[] {
  const parts: ModelPart[] = [];
  const choice = completion.choices[0];
  const message = choice?.message;
  const reasoning = (message as ReasoningDelta | undefined)?.reasoning_content ?? (message as ReasoningDelta | undefined)?.reasoning;
  if (reasoning) parts.push({ type: "text-delta", text: `<think>\n${reasoning}\n</think>\n\n` });
  if (message?.content) parts.push({ type: "text-delta", text: message.content });
  for (const call of message?.tool_calls ?? []) {
    if (call.type !== "function") continue;
    parts.push({ type: "tool-call", id: call.id, name: call.function.name, arguments: call.function.arguments || "{}" });
  }
  if (completion.usage) parts.push({ type: "usage", usage: toUsage(completion.usage) });
  parts.push(finishPart(choice?.finish_reason ? toFinishReason(choice.finish_reason) : "other", message?.refusal ?? ""));
  return parts;
}

function finishPart(reason: FinishReason, refusal: string): ModelPart {
  const explanation = refusal.trim();
  return explanation ? { type: "finish", reason: "refusal", explanation } : { type: "finish", reason };
}

type ToolCallFragment = NonNullable<ChatCompletionChunk.Choice.Delta["tool_calls"]>[number];

/** Fragments carry an `index`; some compatible servers omit it and repeat the `id` instead. */
function addFragment(calls: PendingCall[], fragment: ToolCallFragment): void {
  const index = typeof fragment.index === "number" ? fragment.index : undefined;
  let call = index !== undefined ? calls[index] : calls.find((existing) => existing.id === fragment.id) ?? calls.at(-1);
  if (!call || (index === undefined && fragment.id && call.id !== fragment.id)) {
    call = { id: "", name: "", arguments: "" };
    if (index !== undefined) calls[index] = call;
    else calls.push(call);
  }
  if (fragment.id) call.id = fragment.id;
  if (fragment.function?.name) call.name += fragment.function.name;
  if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
}

function* completeCalls(calls: PendingCall[]): Generator<ModelPart> {
  for (const [index, call] of calls.entries()) {
    if (!call) continue;
    yield { type: "tool-call", id: call.id || `call_${index}`, name: call.name, arguments: call.arguments || "{}" };
  }
}

/** Input tokens exclude cached ones, as Anthropic counts them, so one price formula fits all providers. */
export function toUsage(usage: CompletionUsage): Usage {
  const details = usage.prompt_tokens_details;
  const cacheRead = details?.cached_tokens ?? (usage as { prompt_cache_hit_tokens?: number }).prompt_cache_hit_tokens ?? 0;
  const cacheCreation = details?.cache_write_tokens ?? 0;
  return {
    inputTokens: Math.max(0, (usage.prompt_tokens ?? 0) - cacheRead - cacheCreation),
    outputTokens: usage.completion_tokens ?? 0,
    cacheReadTokens: cacheRead,
    cacheCreationTokens: cacheCreation,
  };
}

function toFinishReason(reason: string): FinishReason {
  if (reason === "stop" || reason === "length" || reason === "content_filter") return reason;
  if (reason === "tool_calls" || reason === "function_call") return "tool_calls";
  return "other";
}
