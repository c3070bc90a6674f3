/**
 * Start-up time of `gptme --version` and `gptme --help` next to `node -e 0` in the same run
 * (goal: `--version` ≤ 1.2× bare node, `--help` ≤ 2×). Runs the installed entry `bin/gptme.cjs` when
 * `dist` exists, else the source through tsx (slower: it compiles on the fly), and says which.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

const runs = 11;
const root = fileURLToPath(new URL("..", import.meta.url));

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeOnce(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: "ignore", env: { ...process.env, NO_COLOR: "1" } });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited with ${result.status}`);
  return elapsed;
}

export async function benchCliStartup(): Promise<{ name: string; lines: string[] }> {
  const compiled = fileURLToPath(new URL("../dist/adapters/cli/main.js", import.meta.url));
  const useCompiled = existsSync(compiled);
  const program = useCompiled ? [fileURLToPath(new URL("../bin/gptme.cjs", import.meta.url))] : ["--import", "tsx", fileURLToPath(new URL("../adapters/cli/main.ts", import.meta.url))];
  const cases: Array<[string, string[]]> = [
    ["node -e 0", ["-e", "0"]],
    ["gptme --version", [...program, "--version"]],
    ["gptme --help", [...program, "--help"]],
  ];
  for (const [, args] of cases) timeOnce(args);
  const timings = new Map<string, number[]>(cases.map(([label]) => [label, []]));
  // Interleaved, so that a slow moment of the machine hits every case alike.
  for (let run = 0; run < runs; run++) for (const [label, args] of cases) timings.get(label)!.push(timeOnce(args));
  const baseline = median(timings.get("node -e 0")!);
  const lines = [`running ${useCompiled ? "bin/gptme.cjs (compiled dist)" : "adapters/cli/main.ts through tsx (no dist: run npm run build)"}, median of ${runs} runs`];
  for (const [label] of cases) {
    const value = median(timings.get(label)!);
    const ratio = value / baseline;
    const goal = label === "gptme --version" ? 1.2 : 2;
    const verdict = label === "node -e 0" ? "baseline" : `${ratio.toFixed(2)}× node (goal ≤ ${goal}× ${ratio <= goal ? "met" : "missed"})`;
    lines.push(`${label.padEnd(16)} ${value.toFixed(1).padStart(7)} ms  ${verdict}`);
  }
  return { name: "CLI start-up", lines };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await benchCliStartup();
  console.log(`== ${result.name}`);
  for (const line of result.lines) console.log(`   ${line}`);
}
