/**
 * One model turn: streams a reply, forwards text deltas as `generation_progress`, and stops at the
 * first complete tool use (aborting the request) or when the run is interrupted.
 */
import type { FinishReason, LanguageModel, ModelMessage, ModelPart, NativeTool, Usage } from "../models/model.js";
import { ABORTED, abortableWaits, linkedAbortController, unlessAborted } from "./abort.js";
import type { ToolUseParseOptions } from "./parse/tool-uses.js";
import { TextPieces } from "./text-pieces.js";
import { StreamingToolUseDetector } from "./tool-use-detector.js";
import type { AgentEvent } from "./types.js";

export interface ReplyRequest {
  model: LanguageModel;
  messages: ModelMessage[];
  tools?: NativeTool[];
  stream: boolean;
  signal: AbortSignal;
  /** How tool uses in the text are read; when set (streaming), the reply stops after the first one. */
  breakOn?: ToolUseParseOptions;
  emit: (event: AgentEvent) => void;
  /** Where the reply's text is collected (each delta before its event is emitted); a new one if not given. */
  text?: TextPieces;
}

export interface NativeCall {
  id: string;
  name: string;
  arguments: string;
}

export interface Reply {
  text: string;
  nativeCalls: NativeCall[];
  usage?: Usage;
  /** complete: the stream ended; tool-use: stopped after a tool use; interrupted; error. */
  ending: "complete" | "tool-use" | "interrupted" | "error";
  error?: unknown;
  /** Why the provider ended the stream, when it said so. */
  finish?: { reason: FinishReason; explanation?: string };
}

export async function generateReply(request: ReplyRequest): Promise<Reply> {
  const { controller, dispose } = linkedAbortController(request.signal);
  const detector = request.breakOn ? new StreamingToolUseDetector(request.breakOn) : undefined;
  const reply: Reply = { text: "", nativeCalls: [], ending: "complete" };
  const text = request.text ?? new TextPieces();
  let iterator: AsyncIterator<ModelPart> | undefined;
  const waits = abortableWaits(request.signal);
  const promptly = request.model.abortsPromptly === true;
  try {
    iterator = request.model
      .stream({ messages: request.messages, tools: request.tools, signal: controller.signal, stream: request.stream })
      [Symbol.asyncIterator]();
    for (;;) {
      // A model whose reads end on abort is awaited as is: racing every token against the signal
      // kept a promise and four closures per stream alive at each young-generation collection.
      const next = promptly ? await iterator.next() : await waits.wait(iterator.next());
      if (next === ABORTED) {
        reply.ending = "interrupted";
        break;
      }
      if (next.done) break;
      if (!acceptPart(next.value, reply, text, detector, request.emit)) {
        reply.ending = "tool-use";
        await drainForUsage(iterator, reply, request.signal);
        if (request.signal.aborted) reply.ending = "interrupted";
        break;
      }
    }
  } catch (error) {
    reply.ending = request.signal.aborted ? "interrupted" : "error";
    reply.error = error;
  } finally {
    reply.text = text.text();
    dispose();
    waits.dispose();
    if (reply.ending !== "complete") {
      controller.abort();
      iterator?.return?.().catch(() => undefined);
    }
  }
  return reply;
}

/** How long to keep reading after a tool use for the provider's usage report (OpenAI sends it last). */
const usageDrainMs = 1000;

/**
 * After a break the rest of the text is discarded (it would be a hallucinated result), but the
 * usage that ends the stream is still worth a short wait: without it the reply has no cost.
 */
async function drainForUsage(iterator: AsyncIterator<ModelPart>, reply: Reply, signal: AbortSignal): Promise<void> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(usageDrainMs)]);
  for (;;) {
    const next = await unlessAborted(iterator.next(), deadline).catch((): typeof ABORTED => ABORTED);
    if (next === ABORTED || next.done) return;
    if (next.value.type === "usage") {
      reply.usage = next.value.usage;
      return;
    }
  }
}

/** Takes one part into the reply; false when a complete tool use ends the reply here. */
function acceptPart(part: ModelPart, reply: Reply, text: TextPieces, detector: StreamingToolUseDetector | undefined, emit: (event: AgentEvent) => void): boolean {
  switch (part.type) {
    case "text-delta": {
      const found = detector?.append(part.text);
      const cut = found ? Math.max(0, found.end - text.length) : part.text.length;
      const token = part.text.slice(0, cut);
      if (token) text.push(token);
      if (token) emit({ type: "generation_progress", token });
      return found === undefined;
    }
    case "tool-call":
      reply.nativeCalls.push({ id: part.id, name: part.name, arguments: part.arguments });
      return true;
    case "usage":
      reply.usage = part.usage;
      return true;
    case "finish":
      reply.finish = part.explanation ? { reason: part.reason, explanation: part.explanation } : { reason: part.reason };
      return true;
  }
}
