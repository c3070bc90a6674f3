/**
 * Memory of a command printing 1 GB: the output goes to a file in the sandbox and only the head and
 * tail the model sees (and the first MB of live events) are ever in the server's memory. Measured
 * as the rise of the process's peak RSS (VmHWM, reset before the run) over its RSS before.
 * Goal: at most 50 MB. The output cap is raised for this run so the whole gigabyte flows (by
 * default the command would be stopped at 100 MB).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { probeBwrap } from "../runtime/sandbox/probe.js";
import { createShellTool } from "../runtime/tools/shell.js";
import { benchManager } from "./shell-roundtrip.js";

const GIB = 1024 ** 3;

function statusKilobytes(field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"));
  return match ? Number(match[1]) : Number.NaN;
}

export async function benchShellOutputMemory() {
  if (process.platform !== "linux") return { name: "shell output memory", lines: ["skipped: needs /proc (Linux)"] };
  const backend = probeBwrap().ok ? "bwrap" : "none";
  const manager = benchManager(backend);
  const directory = mkdtempSync(join(tmpdir(), "gptme-bench-output-"));
  const shell = createShellTool({ timeoutSeconds: 0, maxOutputBytes: 1.5 * GIB });
  try {
    const context = {
      workspace: directory,
      conversationId: "bench-output",
      signal: new AbortController().signal,
      sandbox: manager.forConversation("bench-output", directory),
    };
    let streamed = 0;
    const withEvents = { ...context, onOutput: (chunk: string) => (streamed += chunk.length) };
    await shell.execute({ command: "echo warm" }, withEvents);
    globalThis.gc?.();
    writeFileSync("/proc/self/clear_refs", "5");
    const before = statusKilobytes("VmRSS");
    const started = performance.now();
    const output = await shell.execute({ command: `yes 'a line of build output, about forty bytes' | head -c ${GIB}` }, withEvents);
    const seconds = (performance.now() - started) / 1000;
    const rise = (statusKilobytes("VmHWM") - before) / 1024;
    const saved = /full output saved to (\S+)\) \.\.\./.exec(output)?.[1];
    const savedBytes = saved ? (await context.sandbox.files.stat(saved))?.size : undefined;
    return {
      name: `shell tool: 1 GB of output (${backend})`,
      lines: [
        `peak RSS rise: ${rise.toFixed(1)} MB (RSS before ${(before / 1024).toFixed(0)} MB), ${seconds.toFixed(1)} s`,
        `message to the model: ${output.length} characters; live events: ${(streamed / 1024).toFixed(0)} KB; saved file: ${savedBytes ?? "?"} bytes`,
        `goal: peak RSS rise <= 50 MB ${rise <= 50 ? "OK" : "ABOVE GOAL"}`,
      ],
    };
  } finally {
    await manager.disposeAll();
    rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchShellOutputMemory();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
  process.exit(0);
}
