/**
 * The loop through the real OpenAI and Anthropic SDKs against the fake model server: what is
 * stored, what is emitted, what each provider is sent; retries, failures and interrupts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runAgentLoop } from "../../runtime/agent/loop.js";
import type { AgentEvent, AgentLoopOptions, LoopOutcome, ToolFormat } from "../../runtime/agent/types.js";
import { createModelRegistry } from "../../runtime/models/registry.js";
import type { ModelRegistry } from "../../runtime/models/model.js";
import type { Message } from "../../runtime/store/types.js";
import { startFakeModelServer, type FakeModelServer, type FakeReply } from "../support/fake-model-server.js";
import { testSandboxManager } from "../support/sandboxes.js";
import { MemoryStore } from "./support/memory-store.js";
import { TestToolRegistry } from "./support/test-tools.js";

let server: FakeModelServer;
let registry: ModelRegistry;
/** The test tools never touch it, but every loop has a sandbox. */
let sandboxes: ReturnType<typeof testSandboxManager> | undefined;

beforeAll(async () => {
  server = await startFakeModelServer();
  registry = createModelRegistry({
    env: { OPENAI_BASE_URL: server.openaiBaseURL, ANTHROPIC_API_KEY: "test-key" },
    userConfigPath: null,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    baseURLs: { anthropic: server.anthropicBaseURL },
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

const models = [
  { name: "openai SDK", id: "local/fake", path: "/v1/chat/completions" },
  { name: "anthropic SDK", id: "anthropic/claude-sonnet-4-6", path: "/v1/messages" },
];

interface Run {
  outcome: LoopOutcome;
  events: AgentEvent[];
  added: Message[];
}

async function run(modelId: string, toolFormat: ToolFormat, overrides: Partial<AgentLoopOptions> = {}): Promise<Run> {
  const store = new MemoryStore();
  const initial: Message[] = [
    { role: "system", content: "You are a test assistant.", timestamp: "2026-01-01T00:00:00.000Z", hide: true, pinned: true },
    { role: "user", content: "Please echo hello.", timestamp: "2026-01-01T00:00:01.000Z" },
  ];
  await store.create({ id: "fake-server", config: { chat: {}, env: {} }, workspace: "/tmp", messages: initial });
  const events: AgentEvent[] = [];
  const outcome = await runAgentLoop({
    conversationId: "fake-server",
    store,
    model: registry.resolve(modelId),
    tools: new TestToolRegistry(),
    cost: registry.cost,
    toolFormat,
    workspace: "/tmp",
    dataDirectory: "/tmp",
    sandbox: () => (sandboxes ??= testSandboxManager("none")).forConversation("fake-server", "/tmp"),
    signal: new AbortController().signal,
    confirm: async () => ({ action: "confirm" }),
    emit: (event) => events.push(event),
    ...overrides,
  });
  return { outcome, events, added: (await store.messages("fake-server")).slice(initial.length) };
}

function types(events: AgentEvent[]): string[] {
  return events.filter((event) => event.type !== "generation_progress").map((event) => event.type);
}

const toolTurnEvents = [
  "generation_started",
  "message_added",
  "generation_complete",
  "tool_pending",
  "tool_executing",
  "message_added",
  "tool_output",
  "tool_complete",
  "generation_started",
  "message_added",
  "generation_complete",
];

const finalUsage = { input: 120, output: 9, cacheRead: 30, cacheWrite: 4 };

const firstReplies: Record<ToolFormat, FakeReply> = {
  markdown: { text: "I'll echo it.\n```echo\nhello\n```\nSystem: Echo: hello\nAnything else?", chunkSize: 4 },
  xml: { text: "I'll echo it.\n<tool-use>\n<echo>\nhello\n</echo>\n</tool-use>\nSystem: Echo: hello", chunkSize: 4 },
  tool: { text: "I'll echo it.", toolCalls: [{ name: "echo", arguments: { text: "hello" }, id: "call_echo_1" }], usage: { input: 80, output: 15 } },
};

const firstContents: Record<ToolFormat, string> = {
  markdown: "I'll echo it.\n```echo\nhello\n```\n",
  xml: "I'll echo it.\n<tool-use>\n<echo>\nhello\n</echo>\n</tool-use>",
  tool: 'I\'ll echo it.\n@echo(call_echo_1): {"text":"hello"}',
};

describe.each(models)("agent loop through the $name", ({ id, path }) => {
  it.each<ToolFormat>(["markdown", "xml", "tool"])("%s format: a two-step conversation", async (toolFormat) => {
    server.enqueue(firstReplies[toolFormat], { text: "The tool echoed hello.", chunkSize: 5, usage: finalUsage });
    const result = await run(id, toolFormat);

    expect(result.outcome).toBe("done");
    expect(types(result.events)).toEqual(toolTurnEvents);
    expect(result.added.map((message) => [message.role, message.content])).toEqual([
      ["assistant", firstContents[toolFormat]],
      ["system", "Echo: hello"],
      ["assistant", "The tool echoed hello."],
    ]);
    expect(result.added[1].call_id).toBe(toolFormat === "tool" ? "call_echo_1" : undefined);
    const usage = { inputTokens: 120, outputTokens: 9, cacheReadTokens: 30, cacheCreationTokens: 4 };
    expect(result.added[2].metadata).toEqual({
      model: id,
      input_tokens: 120,
      output_tokens: 9,
      cache_read_tokens: 30,
      cache_creation_tokens: 4,
      cost: registry.cost(id, usage),
    });
    if (id.startsWith("anthropic/")) expect(result.added[2].metadata?.cost).toBeGreaterThan(0);
    if (toolFormat === "tool") {
      expect(result.added[0].metadata).toMatchObject({ model: id, input_tokens: 80, output_tokens: 15 });
    }

    expect(server.requests.map((request) => request.path)).toEqual([path, path]);
    const [first, second] = server.requests;
    expect(first.body.stream).toBe(true);
    const offered: unknown[] = first.body.tools ?? [];
    expect(offered.length).toBe(toolFormat === "tool" ? 2 : 0);
    const sent = JSON.stringify(second.body);
    expect(sent).toContain("Echo: hello");
    if (toolFormat === "tool") expect(sent).toContain("call_echo_1");
    else expect(sent).not.toContain("Anything else?");
  });

  it("retries a 429 and then answers", async () => {
    server.enqueue({ status: 429, message: "slow down" }, { text: "after the retry", usage: { input: 5, output: 3 } });
    const result = await run(id, "markdown");
    expect(result.outcome).toBe("done");
    expect(result.added.map((message) => message.content)).toEqual(["after the retry"]);
    expect(server.requests).toHaveLength(2);
    expect(types(result.events)).toEqual(["generation_started", "message_added", "generation_complete"]);
  });

  it("three 500s end in an error event and a persisted Error message", async () => {
    server.enqueue({ status: 500 }, { status: 500 }, { status: 500 });
    const result = await run(id, "markdown");
    expect(result.outcome).toBe("error");
    expect(server.requests).toHaveLength(3);
    expect(result.added).toHaveLength(1);
    expect(result.added[0].role).toBe("system");
    expect(result.added[0].content).toMatch(/^Error: /);
    const error = result.events.at(-1);
    expect(error?.type).toBe("error");
    expect(result.added[0].content).toBe(`Error: ${error?.type === "error" ? error.error : ""}`);
    expect(types(result.events)).toEqual(["generation_started", "message_added", "error"]);
  });

  it("an interrupt mid-stream keeps the partial reply", async () => {
    server.enqueue({ text: "Here is a partial answer", chunkSize: 6, hang: true });
    const controller = new AbortController();
    let streamed = "";
    const events: AgentEvent[] = [];
    const result = await run(id, "markdown", {
      signal: controller.signal,
      emit: (event) => {
        events.push(event);
        if (event.type === "generation_progress") {
          streamed += event.token;
          if (streamed === "Here is a partial answer") controller.abort();
        }
      },
    });
    expect(result.outcome).toBe("interrupted");
    expect(result.added.map((message) => message.content)).toEqual(["Here is a partial answer [INTERRUPTED]"]);
    expect(types(events)).toEqual(["generation_started", "interrupted", "message_added", "generation_complete"]);
  });
});
