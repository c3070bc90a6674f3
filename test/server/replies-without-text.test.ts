/**
 * A reply that ends without its text (a refusal, a filter, an output limit) is followed by a stored
 * system message that says why, announced over SSE and still there when the conversation is read
 * again. Both providers, through the real SDKs and the fake model server.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer, type FakeReply } from "../support/fake-model-server.js";
import { SseReader } from "../support/sse-client.js";
import { createModelBackedServer, createTestServer, type TestServer } from "../support/test-runtime.js";

let model: FakeModelServer;
let server: TestServer | undefined;
let reader: SseReader | undefined;

beforeAll(async () => {
  model = await startFakeModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(() => model.reset());
afterEach(async () => {
  await reader?.close();
  reader = undefined;
  await server?.close();
  server = undefined;
});

const servers = {
  openai: () => createModelBackedServer(model.openaiBaseURL),
  anthropic: () =>
    createTestServer({
      env: { HOME: "/nonexistent", PATH: process.env.PATH, ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: model.anthropicBaseURL, MODEL: "anthropic/claude-sonnet-4-6" },
    }),
};

interface StoredMessage {
  role: string;
  content: string;
}

/** Runs one step on a new conversation with `reply` queued; the messages after the user's, as stored. */
async function replyWith(provider: keyof typeof servers, reply: FakeReply): Promise<{ announced: string; stored: StoredMessage[] }> {
  server = servers[provider]();
  const created = await server.call("/api/v2/conversations/ending", { method: "PUT", json: { messages: [{ role: "user", content: "Hello" }] } });
  const sessionId = (await created.json()).session_id as string;
  const events = await server.call(`/api/v2/conversations/ending/events?session_id=${sessionId}`);
  reader = new SseReader(events);
  await reader.nextType("connected");
  model.enqueue(reply);
  const step = await server.call("/api/v2/conversations/ending/step", { method: "POST", json: { session_id: sessionId } });
  expect(step.status).toBe(200);
  await reader.nextType("generation_complete");
  const added = await reader.next((frame) => frame.data.type === "message_added" && (frame.data.message as StoredMessage).role === "system");
  const conversation = await (await server.call("/api/v2/conversations/ending")).json();
  const log = conversation.log as StoredMessage[];
  const userIndex = log.findIndex((message) => message.role === "user");
  return { announced: (added.data.message as StoredMessage).content, stored: log.slice(userIndex + 1).map(({ role, content }) => ({ role, content })) };
}

const explanation = "This request could enable the development of malware.";

describe("replies that end without text", () => {
  it("Anthropic refusal: an empty reply, then a note with stop_details' explanation", async () => {
    const { announced, stored } = await replyWith("anthropic", { stopReason: "refusal", stopDetails: { type: "refusal", category: "cyber", explanation } });
    expect(stored).toEqual([
      { role: "assistant", content: "" },
      { role: "system", content: expect.stringContaining(explanation) },
    ]);
    expect(stored[1]!.content).toMatch(/declined to answer \(a refusal\)/);
    expect(announced).toBe(stored[1]!.content);
  });

  it("Anthropic max_tokens: the partial reply, then a note that it was cut off", async () => {
    const { stored } = await replyWith("anthropic", { text: "The first half of", finishReason: "length" });
    expect(stored).toEqual([
      { role: "assistant", content: "The first half of" },
      { role: "system", content: expect.stringMatching(/cut off: it reached the model's output limit \(max_tokens\)/) },
    ]);
  });

  it("OpenAI content_filter and length: a note after the reply", async () => {
    const filtered = await replyWith("openai", { text: "Here is", finishReason: "content_filter" });
    expect(filtered.stored).toEqual([
      { role: "assistant", content: "Here is" },
      { role: "system", content: expect.stringMatching(/content filter stopped the reply/) },
    ]);
    await reader!.close();
    reader = undefined;
    await server!.close();
    const cut = await replyWith("openai", { text: "Long", finishReason: "length" });
    expect(cut.stored.at(-1)).toMatchObject({ role: "system", content: expect.stringMatching(/max_tokens/) });
  });

  it("OpenAI refusal: the model's words are in the note", async () => {
    const { stored } = await replyWith("openai", { refusal: "I can't help with that." });
    expect(stored).toEqual([
      { role: "assistant", content: "" },
      { role: "system", content: expect.stringContaining('"I can\'t help with that."') },
    ]);
  });

  it("an ordinary reply gets no note", async () => {
    server = servers.openai();
    const created = await server.call("/api/v2/conversations/plain", { method: "PUT", json: { messages: [{ role: "user", content: "Hello" }] } });
    const sessionId = (await created.json()).session_id as string;
    reader = new SseReader(await server.call(`/api/v2/conversations/plain/events?session_id=${sessionId}`));
    await reader.nextType("connected");
    model.enqueue({ text: "All good." }, { text: "Greeting" });
    await server.call("/api/v2/conversations/plain/step", { method: "POST", json: { session_id: sessionId } });
    // Naming comes after the run: once it is announced, every message of the run is stored.
    await reader.next((frame) => frame.data.type === "config_changed" && (frame.data.changed_fields as string[]).includes("name"));
    const log = (await (await server.call("/api/v2/conversations/plain")).json()).log as StoredMessage[];
    expect(log.slice(log.findIndex((message) => message.role === "user") + 1)).toEqual([expect.objectContaining({ role: "assistant", content: "All good." })]);
  });
});
