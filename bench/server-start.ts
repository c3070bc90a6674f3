/**
 * Server start-up and idle memory: from spawn to the first 200 from `/health`, and RSS (from /proc)
 * 2 s after that, for `gptme-server serve` (default options) and for a bare Hono server on the same
 * adapter, alternated so a busy moment of the machine hits both alike. Goals (issue 16, quiet
 * machine): ready <= 0.3 s where bare Hono takes 0.2 s, so <= 1.5x bare in the same run; idle RSS
 * <= 60 MB. CPU time to ready (from /proc) is printed too: it moves less than wall time on a loaded machine.
 * The floor is a server with our code taken out but the libraries every default start must load
 * (Hono, chanfana and zod for the routes, better-sqlite3 with a database open): what no change to
 * our code can get under.
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

/**
 * The two baselines, bundled exactly as scripts/build-server.mjs bundles the server (one file,
 * whitespace and syntax minified), into node_modules/.cache so better-sqlite3 still resolves.
 */
async function bundledBaselines(): Promise<{ bare: string; floor: string }> {
  const { build } = await import("esbuild");
  const outdir = join(root, "node_modules/.cache/gptme-bench");
  for (const name of ["bare-hono-server", "floor-server"]) {
    await build({
      entryPoints: [join(root, `bench/${name}.mjs`)],
      outfile: join(outdir, `${name}.mjs`),
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      external: ["better-sqlite3"],
      banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
      minifyWhitespace: true,
      minifySyntax: true,
      logLevel: "warning",
    });
  }
  return { bare: join(outdir, "bare-hono-server.mjs"), floor: join(outdir, "floor-server.mjs") };
}

export async function benchServerStart(options = { rounds: 7, idleMs: 2000 }) {
  const bundled = join(root, "dist/server/main.mjs");
  const useBundle = existsSync(bundled);
  const entry = useBundle ? [bundled] : ["--import", "tsx", join(root, "adapters/node/main.ts")];
  const baselines = await bundledBaselines();
  const bare: StartResult[] = [];
  const floor: StartResult[] = [];
  const ours: StartResult[] = [];
  for (let round = 0; round < options.rounds; round++) {
    bare.push(await startOnce([baselines.bare], { PATH: process.env.PATH }, options.idleMs));
    const directory = mkdtempSync(join(tmpdir(), "gptme-start-bench-"));
    try {
      floor.push(await startOnce([baselines.floor], { PATH: process.env.PATH, FLOOR_DATABASE: join(directory, "floor.db") }, options.idleMs));
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
  const libraries = summary(floor);
  const server = summary(ours);
  const ratio = server.readyMs / baseline.readyMs;
  const cpuRatio = server.cpuMs / baseline.cpuMs;
  const floorRatio = libraries.readyMs / baseline.readyMs;
  const row = (label: string, result: ReturnType<typeof summary>) =>
    `${label.padEnd(54)} ready ${result.readyMs.toFixed(0).padStart(4)} ms, ${result.cpuMs.toFixed(0).padStart(4)} ms CPU, idle RSS ${result.rssMb.toFixed(1)} MB`;
  return {
    name: `server start-up and idle RSS (${useBundle ? "dist/server, the bundle users run" : "sources through tsx: run npm run build"}, medians of ${options.rounds} alternated starts)`,
    lines: [
      row("bare Hono server (baseline):", baseline),
      row("floor: + chanfana, zod, better-sqlite3 with a db open:", libraries),
      row("gptme-server serve:", server),
      `  ready = ${ratio.toFixed(2)}x bare by wall time, ${cpuRatio.toFixed(2)}x by CPU time (goal <= 1.5x: 0.3 s where bare takes 0.2 s) ${ratio <= 1.5 ? "OK" : "ABOVE GOAL"}`,
      `  the floor alone is ${floorRatio.toFixed(2)}x bare; the server is ${(server.readyMs / libraries.readyMs).toFixed(2)}x the floor (+${(server.readyMs - libraries.readyMs).toFixed(0)} ms, +${(server.cpuMs - libraries.cpuMs).toFixed(0)} ms CPU: our code and its start-up work)`,
      `  idle RSS ${server.rssMb.toFixed(1)} MB (goal <= 60 MB) ${server.rssMb <= 60 ? "OK" : `ABOVE GOAL: the floor's libraries alone hold ${libraries.rssMb.toFixed(1)} MB, ours add ${(server.rssMb - libraries.rssMb).toFixed(1)} MB`}`,
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchServerStart();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
}
