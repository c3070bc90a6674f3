/** What each provider is sent for a gptme conversation, read from the fake server's recorded requests. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAnthropicModel } from "../../runtime/models/anthropic.js";
import type { LanguageModel, ModelRequest } from "../../runtime/models/model.js";
import { createOpenAIModel } from "../../runtime/models/openai.js";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { collect, fastRetry, message } from "./helpers.js";

let server: FakeModelServer;
beforeAll(async () => {
  server = await startFakeModelServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const shellTool = { name: "shell", description: "Runs a command", parameters: { type: "object", properties: { command: { type: "string" } } } };

/** A tool-format conversation: one answered call (with a hook note before its result), then an unanswered one. */
const toolConversation = [
  message("system", "You are gptme.", { hide: true, pinned: true }),
  message("system", "Workspace context", { hide: true, pinned: true }),
  message("user", "List the files"),
  message("assistant", 'Listing.\n@shell(call_1): {"command": "ls"}'),
  message("system", "Token budget: plenty", { hide: true }),
  message("system", "Ran command: `ls`\nREADME.md", { call_id: "call_1" }),
  message("user", "Now the hidden ones", { hide: true }),
  message("assistant", '@shell(call_2): {"command": "ls -a"}'),
  message("user", "Never mind"),
];

/** The body the provider received for one request. */
async function send(model: LanguageModel, request: ModelRequest) {
  await collect(model.stream(request));
  return server.requests.at(-1)?.body;
}

describe("OpenAI request", () => {
  const model = () => createOpenAIModel({ provider: "openai", model: "gpt-4o", apiKey: "sk-test", baseURL: server.openaiBaseURL, retry: fastRetry, maxTokensParameter: "max_completion_tokens" });

  it("keeps the system prompt first and sends later system messages as user-side notes", async () => {
    const body = await send(model(), { messages: toolConversation });
    expect(body.messages.map((entry: { role: string }) => entry.role)).toEqual(["system", "system", "user", "assistant", "user", "assistant", "user"]);
    expect(body.messages[0]).toEqual({ role: "system", content: "You are gptme." });
    expect(body.messages[4].content).toBe("<system>\nToken budget: plenty\n</system>\n\n<system>\nRan command: `ls`\nREADME.md\n</system>\n\nNow the hidden ones");
    expect(body.messages[3].content).toContain("@shell(call_1)");
    expect(body.tools).toBeUndefined();
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it("sends answered calls as tool_calls and their results as tool messages right after them", async () => {
    const body = await send(model(), { messages: toolConversation, tools: [shellTool], maxTokens: 100 });
    expect(body.messages.map((entry: { role: string }) => entry.role)).toEqual(["system", "system", "user", "assistant", "tool", "user", "assistant", "user"]);
    expect(body.messages[3]).toEqual({
      role: "assistant",
      content: "Listing.",
      tool_calls: [{ id: "call_1", type: "function", function: { name: "shell", arguments: '{"command": "ls"}' } }],
    });
    expect(body.messages[4]).toEqual({ role: "tool", tool_call_id: "call_1", content: "Ran command: `ls`\nREADME.md" });
    expect(body.messages[5].content).toBe("<system>\nToken budget: plenty\n</system>\n\nNow the hidden ones");
    // The unanswered call stays text: a tool_calls message without results is rejected.
    expect(body.messages[6]).toEqual({ role: "assistant", content: '@shell(call_2): {"command": "ls -a"}' });
    expect(body.tools).toEqual([{ type: "function", function: shellTool }]);
    expect(body.max_completion_tokens).toBe(100);
    expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer sk-test");
  });

  it("every tool message answers a tool call of the message before it", async () => {
    const body = await send(model(), { messages: toolConversation, tools: [shellTool] });
    body.messages.forEach((entry: { role: string; tool_call_id?: string }, index: number) => {
      if (entry.role !== "tool") return;
      let previous = index - 1;
      while (body.messages[previous].role === "tool") previous--;
      const ids = body.messages[previous].tool_calls.map((call: { id: string }) => call.id);
      expect(ids).toContain(entry.tool_call_id);
    });
  });
});

describe("OpenAI request, images and reruns", () => {
  const model = () => createOpenAIModel({ provider: "openai", model: "gpt-4o", apiKey: "sk-test", baseURL: server.openaiBaseURL, retry: fastRetry, vision: true });
  const image = { name: "shot.png", mediaType: "image/png", data: "aGVsbG8=", size: 5 };

  it("sends a second result of one call (a rerun) as a note, never as a second tool message", async () => {
    const messages = [
      ...toolConversation.slice(0, 4),
      message("system", "first run", { call_id: "call_1" }),
      message("system", "second run", { call_id: "call_1" }),
    ];
    const body = await send(model(), { messages, tools: [shellTool] });
    expect(body.messages.filter((entry: { role: string }) => entry.role === "tool")).toEqual([
      { role: "tool", tool_call_id: "call_1", content: "first run" },
    ]);
    expect(body.messages.at(-1)).toEqual({ role: "user", content: "<system>\nsecond run\n</system>" });
  });

  it("puts a tool result's images in a user turn after the results, and merges them with the next note", async () => {
    const messages = [
      ...toolConversation.slice(0, 4),
      { ...message("system", "screenshot taken", { call_id: "call_1" }), images: [image] },
      message("user", "what do you see?"),
    ];
    const body = await send(model(), { messages, tools: [shellTool] });
    expect(body.messages.slice(-2)).toEqual([
      { role: "tool", tool_call_id: "call_1", content: "screenshot taken" },
      {
        role: "user",
        content: [
          { type: "text", text: "![shot.png](shot.png):" },
          { type: "image_url", image_url: { url: "data:image/png;base64,aGVsbG8=" } },
          { type: "text", text: "what do you see?" },
        ],
      },
    ]);
  });
});

describe("Anthropic request", () => {
  const model = () => createAnthropicModel({ model: "claude-sonnet-4-6", apiKey: "sk-ant-test", baseURL: server.anthropicBaseURL, retry: fastRetry, maxOutputTokens: 4096 });

  it("puts the system prompt in system blocks with a cache breakpoint on the last one", async () => {
    const body = await send(model(), { messages: toolConversation });
    expect(body.system).toEqual([
      { type: "text", text: "You are gptme." },
      { type: "text", text: "Workspace context", cache_control: { type: "ephemeral" } },
    ]);
    expect(body.max_tokens).toBe(4096);
    expect(body.messages.some((entry: { role: string }) => entry.role === "system")).toBe(false);
  });

  it("alternates roles, merging notes and user messages, and caches the last message", async () => {
    const body = await send(model(), { messages: toolConversation });
    const roles = body.messages.map((entry: { role: string }) => entry.role);
    expect(roles).toEqual(["user", "assistant", "user", "assistant", "user"]);
    expect(body.messages[2].content.map((block: { text: string }) => block.text)).toEqual([
      "<system>\nToken budget: plenty\n</system>",
      "<system>\nRan command: `ls`\nREADME.md\n</system>",
      "Now the hidden ones",
    ]);
    expect(body.messages.at(-1).content.at(-1)).toEqual({ type: "text", text: "Never mind", cache_control: { type: "ephemeral" } });
  });

  it("sends answered calls as tool_use and results as tool_result blocks first in the next user turn", async () => {
    const body = await send(model(), { messages: toolConversation, tools: [shellTool] });
    expect(body.messages[1].content).toEqual([
      { type: "text", text: "Listing." },
      { type: "tool_use", id: "call_1", name: "shell", input: { command: "ls" } },
    ]);
    expect(body.messages[2].content[0]).toEqual({ type: "tool_result", tool_use_id: "call_1", content: "Ran command: `ls`\nREADME.md" });
    expect(body.messages[2].content.slice(1).map((block: { text: string }) => block.text)).toEqual([
      "<system>\nToken budget: plenty\n</system>",
      "Now the hidden ones",
    ]);
    expect(body.messages[3].content).toEqual([{ type: "text", text: '@shell(call_2): {"command": "ls -a"}' }]);
    expect(body.tools).toEqual([{ name: "shell", description: "Runs a command", input_schema: shellTool.parameters }]);
    expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer sk-ant-test");
    expect(server.requests.at(-1)?.headers["anthropic-version"]).toBeTruthy();
  });

  it("every tool_result answers a tool_use of the assistant turn before it", async () => {
    const body = await send(model(), { messages: toolConversation, tools: [shellTool] });
    body.messages.forEach((entry: { role: string; content: { type: string; tool_use_id?: string; id?: string }[] }, index: number) => {
      for (const block of entry.content.filter((candidate) => candidate.type === "tool_result")) {
        const calls = body.messages[index - 1].content.filter((candidate: { type: string }) => candidate.type === "tool_use");
        expect(calls.map((call: { id: string }) => call.id)).toContain(block.tool_use_id);
      }
    });
  });

  it("starts with a user turn even when the conversation starts with the assistant", async () => {
    const body = await send(model(), { messages: [message("system", "prompt"), message("assistant", "Hi! How can I help?  ")] });
    expect(body.messages[0].role).toBe("user");
    expect(body.messages[1]).toEqual({
      role: "assistant",
      content: [{ type: "text", text: "Hi! How can I help?", cache_control: { type: "ephemeral" } }],
    });
  });
});
