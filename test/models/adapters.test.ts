/** Both adapters through the real SDKs against the fake model server: the same behaviour for each. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAnthropicModel } from "../../runtime/models/anthropic.js";
import { ModelRequestError } from "../../runtime/models/errors.js";
import type { LanguageModel, ModelPart } from "../../runtime/models/model.js";
import { createOpenAIModel } from "../../runtime/models/openai.js";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { collect, failureOf, fastRetry, message, textOf } from "./helpers.js";

let server: FakeModelServer;
beforeAll(async () => {
  server = await startFakeModelServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const adapters: { name: string; path: string; create: () => LanguageModel }[] = [
  {
    name: "openai",
    path: "/v1/chat/completions",
    create: () => createOpenAIModel({ provider: "openai", model: "gpt-4o", apiKey: "test-key", baseURL: server.openaiBaseURL, retry: fastRetry, keyEnvironmentVariable: "OPENAI_API_KEY" }),
  },
  {
    name: "anthropic",
    path: "/v1/messages",
    create: () => createAnthropicModel({ model: "claude-sonnet-4-6", apiKey: "test-key", baseURL: server.anthropicBaseURL, retry: fastRetry }),
  },
];

const conversation = [message("system", "You are a test."), message("user", "Hello")];
const shellTool = {
  name: "shell",
  description: "Runs a command",
  parameters: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
};

describe.each(adapters)("$name adapter", ({ name, path, create }) => {
  it("streams text in several deltas, then usage, then finish", async () => {
    server.enqueue({ text: "Hello there, this is streamed.", chunkSize: 5, usage: { input: 12, output: 7 } });
    const parts = await collect(create().stream({ messages: conversation }));
    const deltas = parts.filter((part) => part.type === "text-delta");
    expect(deltas.length).toBe(6);
    expect(textOf(parts)).toBe("Hello there, this is streamed.");
    expect(parts.slice(-2)).toEqual([
      { type: "usage", usage: { inputTokens: 12, outputTokens: 7, cacheReadTokens: 0, cacheCreationTokens: 0 } },
      { type: "finish", reason: "stop" },
    ]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].path).toBe(path);
    expect(server.requests[0].body.stream).toBe(true);
  });

  it("assembles native tool calls from argument fragments and emits each once", async () => {
    server.enqueue({
      text: "Let me look.",
      chunkSize: 3,
      toolCalls: [
        { name: "shell", arguments: { command: "ls -la /tmp" }, id: "call_a" },
        { name: "shell", arguments: '{"command": "pwd"}', id: "call_b" },
      ],
    });
    const parts = await collect(create().stream({ messages: conversation, tools: [shellTool] }));
    const calls = parts.filter((part) => part.type === "tool-call");
    expect(calls).toEqual([
      { type: "tool-call", id: "call_a", name: "shell", arguments: '{"command":"ls -la /tmp"}' },
      { type: "tool-call", id: "call_b", name: "shell", arguments: '{"command": "pwd"}' },
    ]);
    expect(textOf(parts)).toBe("Let me look.");
    expect(parts.at(-1)).toEqual({ type: "finish", reason: "tool_calls" });
    const order = parts.map((part) => part.type);
    expect(order.lastIndexOf("text-delta")).toBeLessThan(order.indexOf("tool-call"));
  });

  it("reports cache read and creation tokens apart from the uncached input", async () => {
    server.enqueue({ text: "cached", usage: { input: 10, output: 3, cacheRead: 900, cacheWrite: 50 } });
    const parts = await collect(create().stream({ messages: conversation }));
    expect(parts.find((part) => part.type === "usage")).toEqual({
      type: "usage",
      usage: { inputTokens: 10, outputTokens: 3, cacheReadTokens: 900, cacheCreationTokens: 50 },
    });
  });

  it("yields the same parts from a non-streamed request", async () => {
    server.enqueue({ text: "Whole reply", toolCalls: [{ name: "shell", arguments: { command: "ls" }, id: "call_x" }], usage: { input: 4, output: 2 } });
    const parts = await collect(create().stream({ messages: conversation, tools: [shellTool], stream: false }));
    expect(parts).toEqual<ModelPart[]>([
      { type: "text-delta", text: "Whole reply" },
      { type: "tool-call", id: "call_x", name: "shell", arguments: '{"command":"ls"}' },
      { type: "usage", usage: { inputTokens: 4, outputTokens: 2, cacheReadTokens: 0, cacheCreationTokens: 0 } },
      { type: "finish", reason: "tool_calls" },
    ]);
    expect(server.requests[0].body.stream).toBeFalsy();
  });

  it("maps a length stop to finish reason length", async () => {
    server.enqueue({ text: "cut", finishReason: "length" });
    const parts = await collect(create().stream({ messages: conversation, maxTokens: 3 }));
    expect(parts.at(-1)).toEqual({ type: "finish", reason: "length" });
  });

  it("retries a 429 and then streams the reply", async () => {
    server.enqueue({ status: 429, message: "slow down" }, { text: "after the retry" });
    const parts = await collect(create().stream({ messages: conversation }));
    expect(textOf(parts)).toBe("after the retry");
    expect(server.requests).toHaveLength(2);
  });

  it("gives up after three 500s with a readable, typed error", async () => {
    server.enqueue({ status: 500, message: "upstream exploded" }, { status: 500, message: "upstream exploded" }, { status: 500, message: "upstream exploded" });
    const error = await failureOf(create().stream({ messages: conversation }));
    expect(error).toBeInstanceOf(ModelRequestError);
    expect(error.name).toBe("ModelRequestError");
    expect(error.message).toBe(`${create().id}: HTTP 500 from the provider after 3 attempts: upstream exploded`);
    expect(error).toMatchObject({ status: 500, retryable: true, attempts: 3 });
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry an authentication failure and names the key variable", async () => {
    server.enqueue({ status: 401, message: "invalid x-api-key" });
    const error = await failureOf(create().stream({ messages: conversation }));
    expect(error).toMatchObject({ status: 401, retryable: false, attempts: 1 });
    expect(error.message).toContain("HTTP 401 from the provider: invalid x-api-key");
    expect(error.message).toContain(name === "openai" ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY");
    expect(server.requests).toHaveLength(1);
  });

  it("retries a reset connection", async () => {
    server.enqueue({ reset: true }, { text: "reconnected" });
    const parts = await collect(create().stream({ messages: conversation }));
    expect(textOf(parts)).toBe("reconnected");
    expect(server.requests).toHaveLength(2);
  });

  it("reports connection failures that persist", async () => {
    server.enqueue({ reset: true }, { reset: true }, { reset: true });
    const error = await failureOf(create().stream({ messages: conversation }));
    expect(error).toBeInstanceOf(ModelRequestError);
    expect(error.message).toMatch(/could not reach the provider after 3 attempts: Connection error: other side closed/);
    expect(error).toMatchObject({ status: undefined, retryable: true });
  });

  it("does not retry a failure after text was yielded", async () => {
    server.enqueue({ errorMidStream: { afterText: "partial answer", message: "overloaded" } });
    const seen: ModelPart[] = [];
    const error = await failureOf(
      (async function* () {
        for await (const part of create().stream({ messages: conversation })) {
          seen.push(part);
          yield part;
        }
      })(),
    );
    expect(textOf(seen)).toBe("partial answer");
    expect(error).toBeInstanceOf(ModelRequestError);
    expect(error.message).toBe(`${create().id}: the reply stream failed: overloaded`);
    expect(server.requests).toHaveLength(1);
  });

  it("ends with AbortError when aborted while the provider hangs", async () => {
    server.enqueue({ hang: true });
    const controller = new AbortController();
    const failure = failureOf(create().stream({ messages: conversation, signal: controller.signal }));
    await server.waitForRequests(1);
    controller.abort();
    const error = await failure;
    expect(error.name).toBe("AbortError");
    expect(server.requests).toHaveLength(1);
  });

  it("ends with AbortError when aborted in the middle of a stream", async () => {
    server.enqueue({ text: "first words", hang: true });
    const controller = new AbortController();
    const seen: ModelPart[] = [];
    const error = await failureOf(
      (async function* () {
        for await (const part of create().stream({ messages: conversation, signal: controller.signal })) {
          seen.push(part);
          if (textOf(seen) === "first words") controller.abort();
          yield part;
        }
      })(),
    );
    expect(error.name).toBe("AbortError");
    expect(textOf(seen)).toBe("first words");
  });

  it("settles a read pending mid-stream as soon as the signal aborts (abortsPromptly)", async () => {
    server.enqueue({ text: "first words", hang: true });
    const controller = new AbortController();
    const model = create();
    expect(model.abortsPromptly).toBe(true);
    const iterator = model.stream({ messages: conversation, signal: controller.signal })[Symbol.asyncIterator]();
    let text = "";
    while (text !== "first words") {
      const next = await iterator.next();
      if (next.done) throw new Error("the stream ended before the hang");
      if (next.value.type === "text-delta") text += next.value.text;
    }
    const pending = iterator.next();
    let settled = false;
    void pending.then(() => (settled = true), () => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("ends with AbortError when aborted while waiting to retry", async () => {
    server.enqueue({ status: 503 });
    const controller = new AbortController();
    const slowRetry = { attempts: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 };
    const model = name === "openai"
      ? createOpenAIModel({ provider: "openai", model: "gpt-4o", apiKey: "k", baseURL: server.openaiBaseURL, retry: slowRetry })
      : createAnthropicModel({ model: "claude-sonnet-4-6", apiKey: "k", baseURL: server.anthropicBaseURL, retry: slowRetry });
    const failure = failureOf(model.stream({ messages: conversation, signal: controller.signal }));
    await server.waitForRequests(1);
    controller.abort();
    expect((await failure).name).toBe("AbortError");
    expect(server.requests).toHaveLength(1);
  });

  it("does not start a request when the signal is already aborted", async () => {
    const error = await failureOf(create().stream({ messages: conversation, signal: AbortSignal.abort() }));
    expect(error.name).toBe("AbortError");
    expect(server.requests).toHaveLength(0);
  });
});
