/**
 * Replies that end without their text, through the real SDKs and the exact wire shapes: Anthropic's
 * `stop_reason` with `stop_details`, OpenAI's `finish_reason` and `refusal`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAnthropicModel } from "../../runtime/models/anthropic.js";
import type { ModelPart } from "../../runtime/models/model.js";
import { createOpenAIModel } from "../../runtime/models/openai.js";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { collect, fastRetry, message, textOf } from "./helpers.js";

let server: FakeModelServer;
beforeAll(async () => {
  server = await startFakeModelServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const conversation = [message("system", "You are a test."), message("user", "Hello")];
const anthropic = () => createAnthropicModel({ model: "claude-sonnet-4-6", apiKey: "test-key", baseURL: server.anthropicBaseURL, retry: fastRetry });
const openai = () =>
  createOpenAIModel({ provider: "openai", model: "gpt-4o", apiKey: "test-key", baseURL: server.openaiBaseURL, retry: fastRetry, keyEnvironmentVariable: "OPENAI_API_KEY" });
const refusal = { type: "refusal" as const, category: "cyber", explanation: "This request could enable the development of malware." };

describe.each([true, false])("stop reasons (stream: %s)", (stream) => {
  it("Anthropic: a refusal ends with its stop_details explanation", async () => {
    server.enqueue({ text: "", stopReason: "refusal", stopDetails: refusal });
    const parts = await collect(anthropic().stream({ messages: conversation, stream }));
    expect(textOf(parts)).toBe("");
    expect(parts.at(-1)).toEqual<ModelPart>({ type: "finish", reason: "refusal", explanation: refusal.explanation });
    const body = server.requests[0]!.body as { stream?: boolean };
    expect(Boolean(body.stream)).toBe(stream);
  });

  it("Anthropic: a refusal without an explanation, max_tokens and a full context window", async () => {
    server.enqueue(
      { text: "Part of it", stopReason: "refusal", stopDetails: { type: "refusal", category: null, explanation: null } },
      { text: "cut", finishReason: "length" },
      { text: "", stopReason: "model_context_window_exceeded" },
    );
    expect((await collect(anthropic().stream({ messages: conversation, stream }))).at(-1)).toEqual({ type: "finish", reason: "refusal" });
    expect((await collect(anthropic().stream({ messages: conversation, stream }))).at(-1)).toEqual({ type: "finish", reason: "length" });
    expect((await collect(anthropic().stream({ messages: conversation, stream }))).at(-1)).toEqual({ type: "finish", reason: "context_window" });
  });

  it("OpenAI: content_filter and length as finish reasons, a refusal with its words", async () => {
    server.enqueue({ text: "", finishReason: "content_filter" }, { text: "cut", finishReason: "length" }, { refusal: "I can't help with that." });
    expect((await collect(openai().stream({ messages: conversation, stream }))).at(-1)).toEqual({ type: "finish", reason: "content_filter" });
    expect((await collect(openai().stream({ messages: conversation, stream }))).at(-1)).toEqual({ type: "finish", reason: "length" });
    const parts = await collect(openai().stream({ messages: conversation, stream }));
    expect(textOf(parts)).toBe("");
    expect(parts.at(-1)).toEqual({ type: "finish", reason: "refusal", explanation: "I can't help with that." });
  });
});
