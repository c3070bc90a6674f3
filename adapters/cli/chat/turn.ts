/**
 * One turn of the chat: the agent loop on the conversation (generate, confirm, run tools, repeat),
 * printed as it happens and interruptible with Ctrl-C; then the conversation is named after its
 * first reply, as the server does.
 */
import { runAgentLoop } from "../../../runtime/agent/loop.js";
import { parseToolUses } from "../../../runtime/agent/parse/index.js";
import { runToolUse } from "../../../runtime/agent/run-tool-use.js";
import { parseOptionsFor } from "../../../runtime/agent/tool-use-wire.js";
import type { AgentLoopOptions, ConfirmDecision, LoopOutcome, PendingTool, ToolFormat } from "../../../runtime/agent/types.js";
import { createNamer } from "../../../runtime/sessions/auto-name.js";
import type { Message } from "../../../runtime/store/types.js";
import type { EventPrinter } from "./event-printer.js";
import type { AutoConfirm, Interrupts } from "./interrupts.js";
import { withChatMcp } from "./chat-mcp.js";
import type { Chat } from "./open-chat.js";

export interface TurnDependencies {
  printer: EventPrinter;
  confirm: (pending: PendingTool) => Promise<ConfirmDecision>;
  autoConfirm: AutoConfirm;
  interrupts: Interrupts;
}

export async function addUserMessage(chat: Chat, content: string): Promise<void> {
  await chat.store.append(chat.conversationId, [{ role: "user", content, timestamp: new Date().toISOString() }]);
}

export async function runTurn(chat: Chat, dependencies: TurnDependencies): Promise<LoopOutcome> {
  const signal = dependencies.interrupts.begin();
  let outcome: LoopOutcome;
  try {
    outcome = await runAgentLoop(await loopOptions(chat, dependencies, signal));
  } finally {
    dependencies.interrupts.end();
    dependencies.printer.settle();
  }
  if (outcome !== "interrupted") await nameIfUnnamed(chat);
  return outcome;
}

/**
 * Runs the tool uses written in `content` (an impersonated reply, or a replay), each confirmed as
 * in a turn; `persist` decides whether their outputs are stored.
 */
export async function runToolUsesOf(
  chat: Chat,
  content: string,
  dependencies: TurnDependencies,
  persist: (message: Message) => Promise<void>,
): Promise<"done" | "stopped" | "interrupted"> {
  const signal = dependencies.interrupts.begin();
  try {
    const options = await loopOptions(chat, dependencies, signal);
    const toolUses = parseToolUses(content, parseOptionsFor(options.tools, options.toolFormat));
    const context = {
      options,
      persist: async (message: Message) => {
        await persist(message);
        options.emit({ type: "message_added", message });
      },
    };
    for (const toolUse of toolUses) {
      const ending = await runToolUse(toolUse, context);
      if (ending !== "continue") return ending;
    }
    return "done";
  } finally {
    dependencies.interrupts.end();
    dependencies.printer.settle();
  }
}

async function loopOptions(chat: Chat, dependencies: TurnDependencies, signal: AbortSignal): Promise<AgentLoopOptions> {
  const conversation = await chat.conversation();
  const toolFormat = (conversation.config.chat.tool_format ?? "markdown") as ToolFormat;
  return {
    conversationId: chat.conversationId,
    store: chat.store,
    model: chat.model,
    // MCP hook: the conversation's MCP tools, and their servers started before the first reply.
    ...withChatMcp(chat, await chat.tools(), toolFormat),
    cost: (modelId, usage) => chat.models.cost(modelId, usage),
    toolFormat,
    workspace: conversation.workspace,
    dataDirectory: chat.dataDirectory,
    sandbox: () => chat.sandboxFor(conversation),
    stream: chat.options.stream ?? conversation.config.chat.stream ?? true,
    signal,
    confirm: dependencies.confirm,
    takeAutoConfirm: () => dependencies.autoConfirm.take(),
    emit: (event) => dependencies.printer.handle(event),
  };
}

async function nameIfUnnamed(chat: Chat): Promise<void> {
  const conversation = await chat.store.get(chat.conversationId);
  if (!conversation || conversation.config.chat.name) return;
  const name = await createNamer(chat.store)(chat.conversationId, chat.model).catch(() => null);
  if (name) await chat.store.rename(chat.conversationId, name);
}
