/**
 * The agent loop's cost per streamed chunk: the time from a model part being yielded to its
 * `generation_progress` event, and chunks per second, next to a bare `for await` over the same
 * in-process model in the same run (goal: p99 ≤ 2 ms, ≥ 20 000 chunks/s through the loop).
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { runAgentLoop } from "../runtime/agent/loop.js";
import type { LanguageModel, ModelPart } from "../runtime/models/model.js";
import { createSandboxManager } from "../runtime/sandbox/manager.js";
import { resolveSandboxSettings } from "../runtime/sandbox/settings.js";
import { MemoryStore } from "../test/agent/support/memory-store.js";
import { TestToolRegistry } from "../test/agent/support/test-tools.js";

/** Yields `chunks` as text deltas and notes when each was handed out. */
class TimedModel implements LanguageModel {
  readonly id = "bench/timed";
  readonly provider = "bench";
  readonly model = "timed";
  readonly yieldedAt: Float64Array;

  constructor(private readonly chunks: string[]) {
    this.yieldedAt = new Float64Array(chunks.length);
  }

  async *stream(): AsyncIterable<ModelPart> {
    for (let index = 0; index < this.chunks.length; index++) {
      this.yieldedAt[index] = performance.now();
      yield { type: "text-delta", text: this.chunks[index] };
    }
    yield { type: "usage", usage: { inputTokens: 1, outputTokens: this.chunks.length, cacheReadTokens: 0, cacheCreationTokens: 0 } };
    yield { type: "finish", reason: "stop" };
  }
}

/** A reply shaped like real ones: words, a newline every few chunks, and non-tool code blocks the detector must scan. */
function replyChunks(count: number): string[] {
  const chunks: string[] = [];
  for (let index = 0; index < count; index++) {
    if (index % 400 === 10) chunks.push("\n```python\n");
    else if (index % 400 === 60) chunks.push("\n```\n");
    else chunks.push(index % 8 === 7 ? "word\n" : "word ");
  }
  return chunks;
}

interface Measurement {
  latencies: Float64Array;
  seconds: number;
}

/** The test tools never touch it, but every loop has a sandbox. */
const sandboxes = createSandboxManager({
  settings: resolveSandboxSettings({ env: {}, configPath: null, defaultBackend: "none" }),
  environment: process.env,
  secrets: [],
});

async function throughLoop(chunks: string[]): Promise<Measurement> {
  const model = new TimedModel(chunks);
  const store = new MemoryStore();
  await store.create({
    id: "bench",
    config: { chat: {}, env: {} },
    workspace: "/tmp",
    messages: [{ role: "user", content: "write a lot", timestamp: new Date().toISOString() }],
  });
  const latencies = new Float64Array(chunks.length);
  let received = 0;
  const started = performance.now();
  const outcome = await runAgentLoop({
    conversationId: "bench",
    store,
    model,
    tools: new TestToolRegistry(),
    cost: () => 0,
    toolFormat: "markdown",
    workspace: "/tmp",
    dataDirectory: "/tmp",
    sandbox: () => sandboxes.forConversation("bench", "/tmp"),
    signal: new AbortController().signal,
    confirm: async () => ({ action: "confirm" }),
    emit: (event) => {
      if (event.type === "generation_progress") {
        latencies[received] = performance.now() - model.yieldedAt[received];
        received++;
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  if (outcome !== "done" || received !== chunks.length) throw new Error(`loop ended ${outcome} after ${received} chunks`);
  return { latencies, seconds };
}

async function bareIteration(chunks: string[]): Promise<Measurement> {
  const model = new TimedModel(chunks);
  const latencies = new Float64Array(chunks.length);
  let received = 0;
  const started = performance.now();
  for await (const part of model.stream()) {
    if (part.type === "text-delta") {
      latencies[received] = performance.now() - model.yieldedAt[received];
      received++;
    }
  }
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

function percentile(values: Float64Array, fraction: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

export async function benchLoopOverhead(options = { chunks: 50_000, warmupChunks: 5_000 }): Promise<{ name: string; lines: string[] }> {
  const chunks = replyChunks(options.chunks);
  await throughLoop(replyChunks(options.warmupChunks));
  await bareIteration(replyChunks(options.warmupChunks));
  const bare = await bareIteration(chunks);
  const loop = await throughLoop(chunks);
  const loopP99 = percentile(loop.latencies, 0.99);
  const loopRate = options.chunks / loop.seconds;
  const bareRate = options.chunks / bare.seconds;
  const meetsGoal = loopP99 <= 2 && loopRate >= 20_000;
  return {
    name: `agent loop overhead (${options.chunks} streamed chunks, markdown, one reply)`,
    lines: [
      `bare for-await:  p50 ${percentile(bare.latencies, 0.5).toFixed(4)} ms, p99 ${percentile(bare.latencies, 0.99).toFixed(4)} ms, ${bareRate.toFixed(0)} chunks/s`,
      `through loop:    p50 ${percentile(loop.latencies, 0.5).toFixed(4)} ms, p99 ${loopP99.toFixed(4)} ms, max ${percentile(loop.latencies, 1).toFixed(3)} ms, ${loopRate.toFixed(0)} chunks/s`,
      `goal p99 <= 2 ms and >= 20000 chunks/s: ${meetsGoal ? "OK" : "BELOW GOAL"}`,
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchLoopOverhead();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
}
