/**
 * The agent loop: generate a reply, run its tool uses (each confirmed by the user), and generate
 * again, until a reply uses no tool. Every message is persisted before its event is emitted, so a
 * client that reloads on an event finds it in the store.
 */
import type { NativeTool } from "../models/model.js";
import type { Message } from "../store/types.js";
import type { ToolUse } from "../tools/tool.js";
import { errorMessage } from "./abort.js";
import { DraftRecorder } from "./draft-recorder.js";
import { TextPieces } from "./text-pieces.js";
import { generateReply, type NativeCall, type Reply } from "./generate-reply.js";
import { INTERRUPTED_MARK, assistantMessage, endingNote, invalidArgumentsNote, replyMetadata, systemMessage } from "./messages.js";
import { nativeToolsOf } from "./native-tools.js";
import { serializeToolUse } from "./parse/serialize.js";
import { parseToolUses, type ToolUseParseOptions } from "./parse/tool-uses.js";
import { runToolUse, type ToolRunContext } from "./run-tool-use.js";
import { attachmentsDirectory } from "../config/paths.js";
import { withAttachedFiles } from "./attached-files.js";
import { rerunLastReply } from "./rerun.js";
import { parseOptionsFor } from "./tool-use-wire.js";
import type { AgentLoopOptions, LoopOutcome } from "./types.js";

export const DEFAULT_MAX_TURNS = 50;

export async function runAgentLoop(options: AgentLoopOptions): Promise<LoopOutcome> {
  const persist = async (message: Message) => {
    await options.store.append(options.conversationId, [message], options.branch);
    options.emit({ type: "message_added", message });
  };
  const context: LoopContext = {
    options,
    persist,
    stream: options.stream ?? true,
    // In tool format the calls arrive as parts; the text may still hold markdown blocks (as in gptme).
    textFormat: parseOptionsFor(options.tools, options.toolFormat === "xml" ? "xml" : "markdown"),
  };
  try {
    if (options.rerunLastReply) {
      const ending = await rerunLastReply(context);
      if (ending === "stopped") return "stopped";
      if (ending === "interrupted") return interrupted(options);
    }
    return await runTurns(context);
  } catch (error) {
    // Not the model's failure (those are handled per reply) but the store's or a caller's.
    options.emit({ type: "error", error: errorMessage(error) });
    return "error";
  }
}

interface LoopContext extends ToolRunContext {
  stream: boolean;
  textFormat: ToolUseParseOptions;
}

async function runTurns(context: LoopContext): Promise<LoopOutcome> {
  const { options } = context;
  const maxTurns = options.maxTurns ?? DEFAULT_MAX_TURNS;
  for (let turn = 0; turn < maxTurns; turn++) {
    if (options.signal.aborted) return interrupted(options);
    // MCP hook: servers start before the first turn, so their tools are offered from the start.
    const preparation = (await options.beforeTurn?.()) ?? {};
    if (options.signal.aborted) return interrupted(options);
    const stored = await options.store.messages(options.conversationId, options.branch);
    if (stored.length === 0) {
      options.emit({ type: "error", error: "No messages to process" });
      return "error";
    }
    const messages = withPromptAdditions(stored, preparation.systemMessages);
    // Per turn: a tool set can change during a run (an MCP server loaded or unloaded).
    const nativeTools: NativeTool[] | undefined = options.toolFormat === "tool" ? nativeToolsOf(options.tools.all()) : undefined;
    options.emit({ type: "generation_started" });
    const text = new TextPieces();
    const draft = new DraftRecorder(options.drafts, {
      conversationId: options.conversationId,
      branch: options.branch ?? "main",
      position: messages.length,
      model: options.model.id,
    }, text);
    const reply = await generateReply({
      model: options.model,
      messages: await withAttachedFiles(messages, {
        workspace: options.workspace,
        attachments: attachmentsDirectory(options.dataDirectory, options.conversationId),
      }),
      tools: nativeTools,
      stream: context.stream,
      signal: options.signal,
      breakOn: context.stream ? context.textFormat : undefined,
      text,
      emit: (event) => {
        if (event.type === "generation_progress") draft.grew();
        options.emit(event);
      },
    });
    await draft.end();
    const ending = await recordReply(reply, context, draft);
    if (ending !== "continue") return ending;
  }
  options.emit({ type: "error", error: `Stopped after ${maxTurns} model turns without finishing; send a message to continue.` });
  return "stopped";
}

/**
 * Persists a reply (its draft goes once it is stored) and runs its tool uses; "continue" when the
 * model should answer their results.
 */
async function recordReply(reply: Reply, context: LoopContext, draft: DraftRecorder): Promise<LoopOutcome | "continue"> {
  const { options, persist } = context;
  const content = recordedContent(reply, (name) => options.tools.get(name)?.name ?? name);
  const metadata = replyMetadata(options.model.id, reply.usage, options.cost);
  if (reply.ending === "interrupted") {
    // `interrupted` first, as gptme: web clients append the mark to the streamed text on it, so the
    // stored message that follows matches it and is not shown twice.
    options.emit({ type: "interrupted" });
    if (content) {
      const message = assistantMessage(content + INTERRUPTED_MARK, metadata);
      await persist(message);
      options.emit({ type: "generation_complete", message });
    }
    await draft.discard();
    return "interrupted";
  }
  if (reply.ending === "error") {
    if (content) await persist(assistantMessage(content, metadata));
    await draft.discard();
    const error = errorMessage(reply.error);
    await persist(systemMessage(`Error: ${error}`));
    options.emit({ type: "error", error });
    return "error";
  }
  const message = assistantMessage(content, metadata);
  await persist(message);
  await draft.discard();
  options.emit({ type: "generation_complete", message });
  // A refusal or a cut-off would otherwise show as a blank or truncated reply with no reason.
  const note = reply.ending === "complete" ? endingNote(reply.finish, content.trim() === "") : null;
  if (note) await persist(systemMessage(note));

  const toolUses = [...parseToolUses(reply.text, context.textFormat), ...reply.nativeCalls];
  if (toolUses.length === 0) return "done";
  for (const toolUse of toolUses) {
    const ending = isNativeCall(toolUse) ? await runNativeCall(toolUse, context) : await runToolUse(toolUse, context);
    if (ending === "stopped") return "stopped";
    if (ending === "interrupted") return interrupted(options);
  }
  return "continue";
}

function interrupted(options: AgentLoopOptions): LoopOutcome {
  options.emit({ type: "interrupted" });
  return "interrupted";
}

/**
 * The reply as stored: its text, then each native call recorded as `@tool(call_id): {json}` under
 * the tool's own name (`server.tool`, not the function name it was offered as).
 */
function recordedContent(reply: Reply, toolName: (calledName: string) => string): string {
  if (reply.nativeCalls.length === 0) return reply.text;
  const lines = reply.nativeCalls.map((call) => {
    const name = toolName(call.name);
    const parameters = parseArguments(call.arguments);
    if (!parameters) return `@${name}(${call.id}): ${call.arguments}`;
    return serializeToolUse({ tool: name, args: [], content: "", callId: call.id, parameters }, "tool");
  });
  const text = reply.text.trimEnd();
  return text ? `${text}\n${lines.join("\n")}` : lines.join("\n");
}

function isNativeCall(value: ToolUse | NativeCall): value is NativeCall {
  return "arguments" in value;
}

async function runNativeCall(call: NativeCall, context: ToolRunContext) {
  const name = context.options.tools.get(call.name)?.name ?? call.name;
  const parameters = parseArguments(call.arguments);
  if (!parameters) {
    await context.persist(systemMessage(invalidArgumentsNote(name, call.arguments), call.id));
    return "continue" as const;
  }
  const toolUse: ToolUse = { tool: name, args: [], content: "", callId: call.id, parameters };
  return runToolUse(toolUse, context);
}

function parseArguments(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text.trim() === "" ? "{}" : text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Hook-given system messages go right after the stored system prompt; they are sent, not stored. */
function withPromptAdditions(messages: Message[], additions: Message[] | undefined): Message[] {
  if (!additions || additions.length === 0) return messages;
  let promptEnd = 0;
  while (promptEnd < messages.length && messages[promptEnd].role === "system") promptEnd++;
  return [...messages.slice(0, promptEnd), ...additions, ...messages.slice(promptEnd)];
}
