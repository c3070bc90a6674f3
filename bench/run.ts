/** `npm run bench`: every benchmark, each measured against a baseline in the same run. */
import { existsSync } from "node:fs";

interface BenchResult {
  name: string;
  lines: string[];
}

const benches: Array<{ file: string; exportName: string }> = [
  { file: "./conversation-list.ts", exportName: "benchConversationList" },
  { file: "./conversation-get.ts", exportName: "benchConversationGet" },
  { file: "./store-backends.ts", exportName: "benchStoreBackends" },
  { file: "./replicated-events.ts", exportName: "benchReplicatedEvents" },
  { file: "./loop-overhead.ts", exportName: "benchLoopOverhead" },
  { file: "./shell-roundtrip.ts", exportName: "benchShellRoundtrip" },
  { file: "./shell-output-memory.ts", exportName: "benchShellOutputMemory" },
  { file: "./sse-streams.ts", exportName: "benchSseStreams" },
  { file: "./event-memory.ts", exportName: "benchEventMemory" },
  { file: "./cli-startup.ts", exportName: "benchCliStartup" },
  { file: "./server-start.ts", exportName: "benchServerStart" },
];

const only = process.argv.slice(2);
for (const bench of benches) {
  if (only.length && !only.some((name) => bench.file.includes(name))) continue;
  if (!existsSync(new URL(bench.file, import.meta.url))) continue;
  const module = (await import(bench.file)) as Record<string, () => Promise<BenchResult>>;
  const run = module[bench.exportName];
  if (!run) continue;
  const result = await run();
  console.log(`\n== ${result.name}`);
  for (const line of result.lines) console.log(`   ${line}`);
}
process.exit(0);
