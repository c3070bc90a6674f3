/**
 * The shell tool on each sandbox backend, against spawning a process per command
 * (`execFile("true")`) in the same run:
 * - round trip: one `echo hi` through the registry (validation, the persistent bash, gptme's
 *   output text) in a warm shell. Goal: a median at or under 10 ms unsandboxed.
 * - start: a new conversation's first `echo hi` (the sandbox, the shell and the command). Goal: the
 *   sandboxed start within 100 ms of the unsandboxed one.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createSandboxManager, type SandboxManager } from "../runtime/sandbox/manager.js";
import { probeBwrap } from "../runtime/sandbox/probe.js";
import { resolveSandboxSettings } from "../runtime/sandbox/settings.js";
import { createToolRegistry } from "../runtime/tools/registry.js";

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
  const at = (quantile: number) => samples[Math.min(samples.length - 1, Math.floor(quantile * samples.length))]!;
  return { medianMs: at(0.5), p99Ms: at(0.99) };
}

const spawnTrue = () => new Promise<void>((resolve, reject) => execFile("true", (error) => (error ? reject(error) : resolve())));

export function benchManager(backend: "none" | "bwrap"): SandboxManager {
  const settings = resolveSandboxSettings({ env: {}, configPath: null, defaultBackend: backend });
  return createSandboxManager({ settings, environment: process.env, secrets: [] });
}

export async function benchShellRoundtrip(options = { runs: 200, warmup: 10, starts: 20 }) {
  const directory = mkdtempSync(join(tmpdir(), "gptme-bench-shell-"));
  const registry = createToolRegistry({ tools: ["shell"] });
  const backends = probeBwrap().ok ? (["none", "bwrap"] as const) : (["none"] as const);
  const managers = new Map(backends.map((backend) => [backend, benchManager(backend)]));
  let conversation = 0;
  const echo = async (backend: "none" | "bwrap", conversationId: string) => {
    const context = {
      workspace: directory,
      conversationId,
      signal: new AbortController().signal,
      sandbox: managers.get(backend)!.forConversation(conversationId, directory),
    };
    const output = await registry.execute({ tool: "shell", args: [], content: "echo hi" }, context);
    if (!output.includes("```stdout\nhi\n```")) throw new Error(`unexpected shell output: ${output}`);
  };
  const line = (label: string, timing: Timing) => `${label.padEnd(34)} median ${timing.medianMs.toFixed(2)} ms, p99 ${timing.p99Ms.toFixed(2)} ms`;
  try {
    const lines = [line('baseline execFile("true"):', await time(options.runs, options.warmup, spawnTrue))];
    const roundTrips = new Map<string, Timing>();
    const starts = new Map<string, Timing>();
    for (const backend of backends) {
      roundTrips.set(backend, await time(options.runs, options.warmup, () => echo(backend, `bench-${backend}`)));
      lines.push(line(`echo hi round trip (${backend}):`, roundTrips.get(backend)!));
    }
    for (const backend of backends) {
      starts.set(
        backend,
        await time(options.starts, 2, async () => {
          const id = `bench-start-${++conversation}`;
          await echo(backend, id);
          await managers.get(backend)!.remove(id);
        }),
      );
      lines.push(line(`new conversation's first echo (${backend}):`, starts.get(backend)!));
    }
    lines.push(`goal: round trip median <= 10 ms unsandboxed ${roundTrips.get("none")!.medianMs <= 10 ? "OK" : "ABOVE GOAL"}`);
    if (starts.has("bwrap")) {
      const extra = starts.get("bwrap")!.medianMs - starts.get("none")!.medianMs;
      lines.push(`goal: sandboxed start within 100 ms of unsandboxed: +${extra.toFixed(1)} ms ${extra <= 100 ? "OK" : "ABOVE GOAL"}`);
    } else {
      lines.push("bwrap does not work here: sandboxed rows skipped");
    }
    return { name: `shell tool: round trip (${options.runs} runs) and start (${options.starts} conversations), per sandbox backend`, lines };
  } finally {
    await Promise.all([...managers.values()].map((manager) => manager.disposeAll()));
    rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchShellRoundtrip();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
  process.exit(0);
}
