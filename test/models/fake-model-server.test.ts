/** The fake model server's own contract, as seen through the real SDKs. */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";

let server: FakeModelServer;
beforeAll(async () => {
  server = await startFakeModelServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const openai = () => new OpenAI({ apiKey: "k", baseURL: server.openaiBaseURL, maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: "k", baseURL: server.anthropicBaseURL, maxRetries: 0 });

it("answers ok when the queue is empty, and records every request", async () => {
  const completion = await openai().chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] });
  expect(completion.choices[0].message.content).toBe("ok");
  const reply = await anthropic().messages.create({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
  expect(reply.content).toEqual([{ type: "text", text: "ok" }]);
  expect(server.requests.map((request) => [request.method, request.path])).toEqual([
    ["POST", "/v1/chat/completions"],
    ["POST", "/v1/messages"],
  ]);
  expect(server.requests[1].body.messages).toEqual([{ role: "user", content: "hi" }]);
});

it("replays replies in order from one queue shared by both formats", async () => {
  server.enqueue({ text: "first" }, { text: "second" });
  const reply = await anthropic().messages.create({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
  const completion = await openai().chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] });
  expect(reply.content).toEqual([{ type: "text", text: "first" }]);
  expect(completion.choices[0].message.content).toBe("second");
  expect(server.pending()).toBe(0);
});

it("lists models for both SDKs", async () => {
  const openaiModels = await openai().models.list();
  expect(openaiModels.data.map((model) => model.id)).toEqual(["fake", "fake-large"]);
  const anthropicModels = await anthropic().models.list();
  expect(anthropicModels.data.map((model) => model.id)).toEqual(["fake", "fake-large"]);
});

it("sends provider-shaped error bodies the SDKs understand", async () => {
  server.enqueue({ status: 429, message: "too many" }, { status: 529 });
  await expect(openai().chat.completions.create({ model: "m", messages: [] })).rejects.toMatchObject({ status: 429, message: "429 too many" });
  await expect(anthropic().messages.create({ model: "m", max_tokens: 1, messages: [] })).rejects.toMatchObject({ status: 529, type: "overloaded_error" });
});

it("ends a reply the way the providers do: Anthropic stop_reason with stop_details, OpenAI finish_reason and refusal", async () => {
  const details = { type: "refusal" as const, category: "cyber" as const, explanation: "This could enable malware." };
  server.enqueue({ text: "Sure", stopReason: "refusal", stopDetails: details }, { text: "Sure", stopReason: "refusal", stopDetails: details });
  const stream = await anthropic().messages.create({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }], stream: true });
  const deltas = [];
  for await (const event of stream) if (event.type === "message_delta") deltas.push(event.delta);
  expect(deltas).toEqual([{ stop_reason: "refusal", stop_sequence: null, stop_details: details }]);
  const whole = await anthropic().messages.create({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
  expect(whole).toMatchObject({ stop_reason: "refusal", stop_details: details, content: [{ type: "text", text: "Sure" }] });

  server.enqueue({ text: "", finishReason: "content_filter" }, { refusal: "I can't help with that." });
  const filtered = await openai().chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] });
  expect(filtered.choices[0]).toMatchObject({ finish_reason: "content_filter", message: { content: null } });
  const refused = await openai().chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }], stream: true });
  let refusal = "";
  for await (const chunk of refused) refusal += chunk.choices[0]?.delta.refusal ?? "";
  expect(refusal).toBe("I can't help with that.");
});
