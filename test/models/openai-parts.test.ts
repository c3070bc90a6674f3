/** Chunk shapes some OpenAI-compatible servers send that the fake server does not. */
import type { ChatCompletionChunk } from "openai/resources/chat/completions/completions";
import { describe, expect, it } from "vitest";
import { chunksToParts } from "../../runtime/models/openai-parts.js";
import { collect, textOf } from "./helpers.js";

function chunk(delta: Record<string, unknown>, finishReason: string | null = null): ChatCompletionChunk {
  return { id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }] } as ChatCompletionChunk;
}

async function* from(chunks: ChatCompletionChunk[]) {
  yield* chunks;
}

describe("OpenAI chunks to parts", () => {
  it("wraps streamed reasoning in <think> tags before the answer", async () => {
    const parts = await collect(chunksToParts(from([
      chunk({ reasoning_content: "Let me " }),
      chunk({ reasoning_content: "think." }),
      chunk({ content: "Answer." }),
      chunk({}, "stop"),
    ])));
    expect(textOf(parts)).toBe("<think>\nLet me think.\n</think>\n\nAnswer.");
    expect(parts.at(-1)).toEqual({ type: "finish", reason: "stop" });
  });

  it("assembles fragments without an index by their repeated id", async () => {
    const parts = await collect(chunksToParts(from([
      chunk({ tool_calls: [{ id: "a", function: { name: "shell", arguments: '{"command":' } }] }),
      chunk({ tool_calls: [{ id: "a", function: { arguments: '"ls"}' } }] }),
      chunk({ tool_calls: [{ id: "b", function: { name: "read", arguments: "{}" } }] }),
    ])));
    expect(parts).toEqual([
      { type: "tool-call", id: "a", name: "shell", arguments: '{"command":"ls"}' },
      { type: "tool-call", id: "b", name: "read", arguments: "{}" },
      { type: "finish", reason: "tool_calls" },
    ]);
  });

  it("counts DeepSeek's cache hits as cache reads", async () => {
    const usageChunk = { id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [], usage: { prompt_tokens: 100, completion_tokens: 5, total_tokens: 105, prompt_cache_hit_tokens: 60 } } as ChatCompletionChunk;
    const parts = await collect(chunksToParts(from([chunk({ content: "x" }, "stop"), usageChunk])));
    expect(parts.find((part) => part.type === "usage")).toEqual({
      type: "usage",
      usage: { inputTokens: 40, outputTokens: 5, cacheReadTokens: 60, cacheCreationTokens: 0 },
    });
  });
});
