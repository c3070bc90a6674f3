/**
 * One tool use from pending to result: `tool_pending`, the user's decision, `tool_executing`, the
 * result persisted as a system message (with `call_id` for native calls), `tool_output`,
 * `tool_complete`. Skips and stops are written down too, so the model (and, for native calls,
 * the provider) sees an answer to every call.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Message } from "../store/types.js";
import type { ToolContext, ToolUse } from "../tools/tool.js";
import { ABORTED, errorMessage, unlessAborted } from "./abort.js";
import { interruptedNote, skippedNote, stoppedNote, systemMessage, unknownToolNote } from "./messages.js";
import { wireOf, withBlockShape, withEditedContent } from "./tool-use-wire.js";
import type { AgentLoopOptions, ConfirmDecision, PendingTool } from "./types.js";

export type ToolRunEnding = "continue" | "stopped" | "interrupted";

export interface ToolRunContext {
  options: AgentLoopOptions;
  /** Appends to the conversation, then emits `message_added`. */
  persist: (message: Message) => Promise<void>;
}

export async function runToolUse(parsed: ToolUse, context: ToolRunContext): Promise<ToolRunEnding> {
  const { options, persist } = context;
  const definition = options.tools.get(parsed.tool);
  if (!definition) {
    await persist(systemMessage(unknownToolNote(parsed.tool), parsed.callId));
    return "continue";
  }
  const toolUse = withBlockShape(parsed, definition);
  const sandbox = options.sandbox();
  const toolContext: ToolContext = {
    workspace: options.workspace,
    conversationId: options.conversationId,
    signal: options.signal,
    sandbox,
  };
  const pending = await pendingTool(toolUse, toolContext, options);
  options.emit({
    type: "tool_pending",
    tool_id: pending.toolId,
    tooluse: pending.wire,
    auto_confirm: pending.autoConfirm,
    ...(options.autoConfirmLeft ? { auto_confirm_left: options.autoConfirmLeft() } : {}),
    preview: pending.preview,
  });
  const decision: ConfirmDecision | typeof ABORTED = pending.autoConfirm
    ? { action: "confirm" }
    : await unlessAborted(options.confirm(pending), options.signal);
  if (decision === ABORTED) {
    if (toolUse.callId) await persist(systemMessage(interruptedNote(toolUse.tool), toolUse.callId));
    return "interrupted";
  }
  if (decision.action === "skip") {
    await persist(systemMessage(skippedNote(toolUse.tool), toolUse.callId));
    return decision.andStop ? "stopped" : "continue";
  }
  if (decision.action === "stop") {
    await persist(systemMessage(stoppedNote(toolUse.tool), toolUse.callId));
    return "stopped";
  }
  const toRun = decision.action === "edit" ? withEditedContent(toolUse, decision.content) : toolUse;
  // Output a long-running command prints reaches clients while it runs, marked partial.
  const streaming: ToolContext = {
    ...toolContext,
    onOutput: (chunk) => options.emit({ type: "tool_output", tool_id: pending.toolId, output: chunk, partial: true }),
  };
  await execute(pending.toolId, toRun, streaming, context);
  return options.signal.aborted ? "interrupted" : "continue";
}

async function pendingTool(toolUse: ToolUse, toolContext: ToolContext, options: AgentLoopOptions): Promise<PendingTool> {
  let preview: string;
  const release = toolContext.sandbox.hold();
  try {
    preview = await options.tools.preview(toolUse, toolContext);
  } catch {
    preview = toolUse.content;
  } finally {
    release();
  }
  return {
    toolId: randomUUID(),
    toolUse,
    wire: wireOf(toolUse),
    preview,
    autoConfirm: options.takeAutoConfirm?.() ?? false,
  };
}

async function execute(toolId: string, toolUse: ToolUse, toolContext: ToolContext, context: ToolRunContext): Promise<void> {
  const { options, persist } = context;
  options.emit({ type: "tool_executing", tool_id: toolId });
  const started = performance.now();
  let output: string;
  let success: boolean;
  // The sandbox is not removed as idle while one of its tools runs, however long.
  const release = toolContext.sandbox.hold();
  try {
    output = await options.tools.execute(toolUse, toolContext);
    // The registry turns failures into text for the model; gptme's convention is a leading "Error".
    success = !/^Error\b/.test(output);
  } catch (error) {
    output = `Error: ${errorMessage(error)}`;
    success = false;
  } finally {
    release();
  }
  const durationMs = performance.now() - started;
  await persist(systemMessage(output, toolUse.callId));
  options.emit({ type: "tool_output", tool_id: toolId, output });
  options.emit({ type: "tool_complete", tool_id: toolId, duration_ms: durationMs, success });
}
