/**
 * Server start-up and idle memory: from spawn to the first 200 from `/health`, and RSS (from /proc)
 * 2 s after that, for `gptme-server serve` (default options) and for a bare Hono server on the same
 * adapter, alternated so a busy moment of the machine hits both alike. Goals (issue 16, quiet
 * machine): ready <= 0.3 s where bare Hono takes 0.2 s, so <= 1.5x bare in the same run; idle RSS
 * <= 60 MB. CPU time to ready (from /proc) is printed too: it moves less than wall time on a loaded machine.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";

const root = fileURLToPath(new URL("..", import.meta.url));

interface StartResult {
  readyMs: number;
  cpuMs: number;
  rssMb: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function cpuMilliseconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function rssMegabytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
}

async function startOnce(args: string[], env: NodeJS.ProcessEnv, idleMs: number): Promise<StartResult> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code}: ${output}`)));
    });
    for (;;) {
      const status = await fetch(`${url}/health`).then((response) => response.status, () => 0);
      if (status === 200) break;
    }
    const readyMs = performance.now() - started;
    const cpuMs = cpuMilliseconds(child.pid!);
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    return { readyMs, cpuMs, rssMb: rssMegabytes(child.pid!) };
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(null)));
  }
}

export async function benchServerStart(options = { rounds: 7, idleMs: 2000 }) {
  const compiled = join(root, "dist/adapters/node/main.js");
  const useCompiled = existsSync(compiled);
  const entry = useCompiled ? [compiled] : ["--import", "tsx", join(root, "adapters/node/main.ts")];
  const bare: StartResult[] = [];
  const ours: StartResult[] = [];
  for (let round = 0; round < options.rounds; round++) {
    bare.push(await startOnce([join(root, "bench/bare-hono-server.mjs")], { PATH: process.env.PATH }, options.idleMs));
    const directory = mkdtempSync(join(tmpdir(), "gptme-start-bench-"));
    try {
      const env = { PATH: process.env.PATH, HOME: directory, XDG_DATA_HOME: directory, GPTME_SERVER_TOKEN: "bench-token" };
      ours.push(await startOnce([...entry, "serve", "--port", "0", "--workspace", directory], env, options.idleMs));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }
  const summary = (results: StartResult[]) => ({
    readyMs: median(results.map((result) => result.readyMs)),
    cpuMs: median(results.map((result) => result.cpuMs)),
    rssMb: median(results.map((result) => result.rssMb)),
  });
  const baseline = summary(bare);
  const server = summary(ours);
  const ratio = server.readyMs / baseline.readyMs;
  const cpuRatio = server.cpuMs / baseline.cpuMs;
  return {
    name: `server start-up and idle RSS (${useCompiled ? "dist, compiled" : "sources through tsx: run npm run build"}, medians of ${options.rounds} alternated starts)`,
    lines: [
      `bare Hono server (the floor): ready ${baseline.readyMs.toFixed(0)} ms, ${baseline.cpuMs.toFixed(0)} ms CPU, idle RSS ${baseline.rssMb.toFixed(1)} MB`,
      `gptme-server serve:           ready ${server.readyMs.toFixed(0)} ms, ${server.cpuMs.toFixed(0)} ms CPU, idle RSS ${server.rssMb.toFixed(1)} MB`,
      `  ready = ${ratio.toFixed(2)}x bare by wall time, ${cpuRatio.toFixed(2)}x by CPU time (goal <= 1.5x: 0.3 s where bare takes 0.2 s) ${ratio <= 1.5 ? "OK" : "ABOVE GOAL"}`,
      `  idle RSS ${server.rssMb.toFixed(1)} MB (goal <= 60 MB; the bare server's ${baseline.rssMb.toFixed(1)} MB is the floor) ${server.rssMb <= 60 ? "OK" : "ABOVE GOAL"}`,
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchServerStart();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
}
