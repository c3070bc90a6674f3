/** Runs the agent loop against the in-memory store, a scripted model and the test tools, recording events. */
import { runAgentLoop } from "../../../runtime/agent/loop.js";
import type { AgentEvent, AgentLoopOptions, ConfirmDecision, LoopOutcome, PendingTool, ToolFormat } from "../../../runtime/agent/types.js";
import type { LanguageModel } from "../../../runtime/models/model.js";
import type { Message } from "../../../runtime/store/types.js";
import { testSandboxManager } from "../../support/sandboxes.js";
import { MemoryStore } from "./memory-store.js";
import { ScriptedModel, type ScriptedTurn } from "./scripted-model.js";
import { TestToolRegistry } from "./test-tools.js";

export const CONVERSATION_ID = "loop-test";

/** The test tools never touch it, but every loop has a sandbox. */
let sandboxes: ReturnType<typeof testSandboxManager> | undefined;

export interface Harness {
  store: MemoryStore;
  model: ScriptedModel;
  tools: TestToolRegistry;
  events: AgentEvent[];
  pending: PendingTool[];
  controller: AbortController;
  run(overrides?: Partial<AgentLoopOptions>): Promise<LoopOutcome>;
  stored(): Promise<Message[]>;
  /** The stored messages after the initial system prompt and user message. */
  added(): Promise<Message[]>;
  eventTypes(): string[];
}

export interface HarnessOptions {
  toolFormat?: ToolFormat;
  decide?: (pending: PendingTool) => ConfirmDecision | Promise<ConfirmDecision>;
  model?: LanguageModel;
}

export async function createHarness(turns: ScriptedTurn[], options: HarnessOptions = {}): Promise<Harness> {
  const store = new MemoryStore();
  const initial: Message[] = [
    { role: "system", content: "You are a test assistant.", timestamp: "2026-01-01T00:00:00.000Z", hide: true, pinned: true },
    { role: "user", content: "Please echo hello.", timestamp: "2026-01-01T00:00:01.000Z" },
  ];
  await store.create({ id: CONVERSATION_ID, config: { chat: {}, env: {} }, workspace: "/tmp", messages: initial });
  const model = new ScriptedModel(turns);
  const tools = new TestToolRegistry();
  const events: AgentEvent[] = [];
  const pending: PendingTool[] = [];
  const controller = new AbortController();
  const decide = options.decide ?? (() => ({ action: "confirm" }) as const);
  return {
    store,
    model,
    tools,
    events,
    pending,
    controller,
    run: (overrides = {}) =>
      runAgentLoop({
        conversationId: CONVERSATION_ID,
        store,
        model: options.model ?? model,
        tools,
        cost: (_modelId, usage) => usage.inputTokens * 0.001 + usage.outputTokens * 0.002,
        toolFormat: options.toolFormat ?? "markdown",
        workspace: "/tmp",
        dataDirectory: "/tmp",
        sandbox: () => (sandboxes ??= testSandboxManager("none")).forConversation(CONVERSATION_ID, "/tmp"),
        signal: controller.signal,
        confirm: async (tool) => {
          pending.push(tool);
          return decide(tool);
        },
        emit: (event) => events.push(event),
        ...overrides,
      }),
    stored: () => store.messages(CONVERSATION_ID),
    added: async () => (await store.messages(CONVERSATION_ID)).slice(initial.length),
    eventTypes: () => events.filter((event) => event.type !== "generation_progress").map((event) => event.type),
  };
}
