/** A LanguageModel that replays scripted parts, one script per request, and records what it was asked. */
import type { LanguageModel, ModelPart, ModelRequest, Usage } from "../../../runtime/models/model.js";

export interface ScriptedTurn {
  parts: ModelPart[];
  /** After the parts: end, throw, wait for the request's abort, or wait forever (ignoring the abort). */
  then?: "end" | Error | "hang" | "hang-ignoring-abort";
}

export class ScriptedModel implements LanguageModel {
  readonly id = "test/scripted";
  readonly provider = "test";
  readonly model = "scripted";
  readonly requests: ModelRequest[] = [];
  /** Parts handed out per request (a consumer that stops early leaves the rest). */
  readonly delivered: number[] = [];
  /** Whether each request's generator was closed (finally ran). */
  readonly closed: boolean[] = [];

  constructor(private readonly turns: ScriptedTurn[]) {}

  async *stream(request: ModelRequest): AsyncIterable<ModelPart> {
    const index = this.requests.length;
    this.requests.push({ ...request, messages: structuredClone(request.messages) });
    this.delivered.push(0);
    this.closed.push(false);
    const turn = this.turns[index];
    if (!turn) throw new Error(`ScriptedModel has no script for request ${index + 1}`);
    try {
      for (const part of turn.parts) {
        this.delivered[index]++;
        yield part;
      }
      if (turn.then instanceof Error) throw turn.then;
      if (turn.then === "hang") await untilAborted(request.signal);
      if (turn.then === "hang-ignoring-abort") await new Promise(() => undefined);
    } finally {
      this.closed[index] = true;
    }
  }
}

function untilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(Object.assign(new Error("Request was aborted."), { name: "AbortError" }));
    if (signal?.aborted) fail();
    signal?.addEventListener("abort", fail, { once: true });
  });
}

/** Parts of a plain text reply split into chunks, then usage and finish. */
export function textReply(chunks: string[], usage: Partial<Usage> = {}): ModelPart[] {
  return [
    ...chunks.map((text): ModelPart => ({ type: "text-delta", text })),
    { type: "usage", usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheCreationTokens: 0, ...usage } },
    { type: "finish", reason: "stop" },
  ];
}

/** Splits text into chunks of `size` characters, as a stream would deliver it. */
export function chunked(text: string, size = 7): string[] {
  const chunks: string[] = [];
  for (let index = 0; index < text.length; index += size) chunks.push(text.slice(index, index + size));
  return chunks;
}
