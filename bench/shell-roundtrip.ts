/**
 * One shell tool round trip (`echo hi` through the registry: validation, the persistent bash,
 * gptme's output text) next to spawning a process per command (`execFile("true")`) in the same
 * run. Goal: a median at or under 10 ms.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createToolRegistry, disposeTools } from "../runtime/tools/registry.js";

interface Timing {
  medianMs: number;
  p99Ms: number;
}

async function time(runs: number, warmup: number, task: () => Promise<unknown>): Promise<Timing> {
  for (let index = 0; index < warmup; index++) await task();
  const samples: number[] = [];
  for (let index = 0; index < runs; index++) {
    const start = performance.now();
    await task();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (quantile: number) => samples[Math.min(samples.length - 1, Math.floor(quantile * samples.length))];
  return { medianMs: at(0.5), p99Ms: at(0.99) };
}

const spawnTrue = () => new Promise<void>((resolve, reject) => execFile("true", (error) => (error ? reject(error) : resolve())));

export async function benchShellRoundtrip(options = { runs: 200, warmup: 10 }) {
  const directory = mkdtempSync(join(tmpdir(), "gptme-bench-shell-"));
  const registry = createToolRegistry({ tools: ["shell"] });
  const context = {
    workspace: directory,
    dataDirectory: directory,
    conversationId: `bench-${randomUUID()}`,
    signal: new AbortController().signal,
  };
  try {
    const baseline = await time(options.runs, options.warmup, spawnTrue);
    const shell = await time(options.runs, options.warmup, async () => {
      const output = await registry.execute({ tool: "shell", args: [], content: "echo hi" }, context);
      if (!output.includes("```stdout\nhi\n```")) throw new Error(`unexpected shell output: ${output}`);
    });
    const line = (label: string, timing: Timing) =>
      `${label.padEnd(30)} median ${timing.medianMs.toFixed(2)} ms, p99 ${timing.p99Ms.toFixed(2)} ms`;
    return {
      name: `shell tool round trip (echo hi, ${options.runs} runs)`,
      lines: [
        line('baseline execFile("true"):', baseline),
        line("shell tool `echo hi`:", shell),
        `goal: median <= 10 ms ${shell.medianMs <= 10 ? "OK" : "ABOVE GOAL"}`,
      ],
    };
  } finally {
    await disposeTools();
    rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchShellRoundtrip();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
}
