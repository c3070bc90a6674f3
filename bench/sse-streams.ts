/**
 * 200 concurrent SSE streams relaying model tokens through the server (a child process, so its RSS
 * is its own), next to the same clients reading the model stream directly: tokens/s, the latency the
 * server adds at p99 (goal ≤ 2 ms) and the server's peak RSS (goal ≤ 300 MB).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { percentile } from "./http-load.js";
import { startStampingModel } from "./stamping-model.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const token = "bench-token";

function stampsIn(text: string, into: number[], arrivals?: number[]) {
  const now = performance.now();
  for (const stamp of text.split(";")) {
    if (!stamp) continue;
    into.push(now - Number(stamp));
    arrivals?.push(now);
  }
}

function streamLines(url: string, init: { method: string; headers: Record<string, string>; body?: string; agent: Agent }, onData: (data: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers, agent: init.agent }, (response) => {
      let buffer = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        buffer += chunk;
        let index: number;
        while ((index = buffer.indexOf("\n\n")) !== -1) {
          const frame = buffer.slice(0, index);
          buffer = buffer.slice(index + 2);
          const data = frame.split("\n").find((line) => line.startsWith("data: "))?.slice(6);
          if (data !== undefined && onData(data)) {
            req.destroy();
            resolve();
            return;
          }
        }
      });
      response.on("end", () => resolve());
    });
    req.on("error", (error) => (String(error).includes("socket hang up") ? resolve() : reject(error)));
    if (init.body) req.write(init.body);
    req.end();
  });
}

/** User + system CPU seconds the process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * The same clients through bench/sse-relay-floor.mjs (a child process, like the server): the latency
 * and CPU of relaying with none of our code, measured over the same steady-state window rule.
 */
async function relayFloor(modelUrl: string, agent: Agent, streams: number): Promise<{ steady: number[]; cpu: number }> {
  const child = spawn(process.execPath, [join(root, "bench/sse-relay-floor.mjs")], { cwd: root, env: { PATH: process.env.PATH, MODEL_URL: `${modelUrl}/v1` }, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let output = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.on("exit", () => reject(new Error(`relay floor exited:\n${output}`)));
    });
    const latencies: number[] = [];
    const arrivals: number[] = [];
    let allStreaming = 0;
    let firstCompletion = Number.POSITIVE_INFINITY;
    const started = performance.now();
    const cpuBefore = cpuSeconds(child.pid!);
    await Promise.all(
      Array.from({ length: streams }, () => {
        let streaming = false;
        return streamLines(`${base}/relay`, { method: "GET", headers: {}, agent }, (data) => {
          const event = JSON.parse(data) as { type: string; token?: string };
          if (event.type === "generation_progress" && event.token) {
            if (!streaming) allStreaming = Math.max(allStreaming, performance.now());
            streaming = true;
            stampsIn(event.token, latencies, arrivals);
          }
          const finished = event.type === "generation_complete";
          if (finished) firstCompletion = Math.min(firstCompletion, performance.now());
          return finished;
        });
      }),
    );
    const cpu = (cpuSeconds(child.pid!) - cpuBefore) / ((performance.now() - started) / 1000);
    const steady = latencies.filter((_, index) => arrivals[index]! > allStreaming && arrivals[index]! < firstCompletion).sort((a, b) => a - b);
    return { steady, cpu };
  } finally {
    child.kill("SIGTERM");
  }
}

export async function benchSseStreams(options = { streams: 200, chunks: 300, intervalMs: 50 }) {
  const model = await startStampingModel({ chunks: options.chunks, intervalMs: options.intervalMs });
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

  const direct: number[] = [];
  const directStarted = performance.now();
  await Promise.all(
    Array.from({ length: options.streams }, () =>
      streamLines(`${model.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "bench", stream: true, messages: [{ role: "user", content: "go" }] }),
        agent,
      }, (data) => {
        if (data === "[DONE]") return true;
        const content = JSON.parse(data).choices?.[0]?.delta?.content;
        if (content) stampsIn(content, direct);
        return false;
      }),
    ),
  );
  const directSeconds = (performance.now() - directStarted) / 1000;

  // The floor under the relay: the OpenAI SDK parsing the same streams (the server reads the model with it).
  const { default: OpenAI } = await import("openai");
  const sdk = new OpenAI({ baseURL: `${model.url}/v1`, apiKey: "bench", maxRetries: 0 });
  const throughSdk: number[] = [];
  await Promise.all(
    Array.from({ length: options.streams }, async () => {
      const stream = await sdk.chat.completions.create({ model: "bench", stream: true, messages: [{ role: "user", content: "go" }] });
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta?.content;
        if (content) stampsIn(content, throughSdk);
      }
    }),
  );

  const floor = await relayFloor(model.url, agent, options.streams);

  const directory = mkdtempSync(join(tmpdir(), "gptme-sse-bench-"));
  // The bundled server when built (what `npm start` runs), else the sources through tsx.
  const compiled = join(root, "dist/server/main.mjs");
  const entry = existsSync(compiled) ? [compiled] : ["--import", "tsx", join(root, "adapters/node/main.ts")];
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(" ") : []), ...(process.env.BENCH_PROFILE ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] : []), ...entry, "serve", "--port", "0", "--workspace", directory], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: directory, XDG_DATA_HOME: directory, GPTME_SERVER_TOKEN: token, OPENAI_BASE_URL: `${model.url}/v1`, MODEL: "local/bench" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.on("exit", () => reject(new Error(`server exited:\n${output}`)));
  });
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const call = (path: string, method: string, body: unknown) =>
    fetch(`${base}${path}`, { method, headers, body: JSON.stringify(body) }).then((response) => response.json() as Promise<{ session_id: string }>);

  // One full generation first, so the measured run sees a warmed-up server (JIT, lazy imports).
  const warm = await call("/api/v2/conversations/bench-warm-up", "PUT", { messages: [{ role: "user", content: "go" }] });
  const warmed = streamLines(`${base}/api/v2/conversations/bench-warm-up/events?session_id=${warm.session_id}`, { method: "GET", headers, agent }, (data) => {
    const type = (JSON.parse(data) as { type: string }).type;
    if (type === "connected") void call("/api/v2/conversations/bench-warm-up/step", "POST", { session_id: warm.session_id });
    return type === "generation_complete" || type === "error";
  });
  await warmed;

  const sessions: string[] = [];
  for (let index = 0; index < options.streams; index++) {
    const created = await call(`/api/v2/conversations/bench-${index}`, "PUT", { messages: [{ role: "user", content: "go" }] });
    sessions.push(created.session_id);
  }
  const relayed: number[] = [];
  const arrivals: number[] = [];
  let firstCompletion = Number.POSITIVE_INFINITY;
  // When the last stream got its first token: from then on all of them are streaming.
  let allStreaming = 0;
  let peakRss = rssMegabytes(child.pid!);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMegabytes(child.pid!))), 100);
  const relayStarted = performance.now();
  const cpuBefore = cpuSeconds(child.pid!);
  const streams = sessions.map((sessionId, index) => {
    let connected!: () => void;
    let streaming = false;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    const done = streamLines(`${base}/api/v2/conversations/bench-${index}/events?session_id=${sessionId}`, { method: "GET", headers, agent }, (data) => {
      const event = JSON.parse(data) as { type: string; token?: string };
      if (event.type === "connected") connected();
      if (event.type === "generation_progress" && event.token) {
        if (!streaming) allStreaming = Math.max(allStreaming, performance.now());
        streaming = true;
        stampsIn(event.token, relayed, arrivals);
      }
      const finished = event.type === "generation_complete" || event.type === "error";
      if (finished) firstCompletion = Math.min(firstCompletion, performance.now());
      return finished;
    });
    return { ready, done };
  });
  await Promise.all(streams.map((stream) => stream.ready));
  await Promise.all(sessions.map((sessionId, index) => call(`/api/v2/conversations/bench-${index}/step`, "POST", { session_id: sessionId })));
  await Promise.all(streams.map((stream) => stream.done));
  const relaySeconds = (performance.now() - relayStarted) / 1000;
  const serverCpu = (cpuSeconds(child.pid!) - cpuBefore) / relaySeconds;
  clearInterval(sampler);
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
  agent.destroy();
  await model.close();
  rmSync(directory, { recursive: true, force: true });

  // Steady state: every stream running, none finished (no start-up or wind-down storm).
  const steady = relayed.filter((_, index) => arrivals[index]! > allStreaming && arrivals[index]! < firstCompletion).sort((a, b) => a - b);
  direct.sort((a, b) => a - b);
  throughSdk.sort((a, b) => a - b);
  relayed.sort((a, b) => a - b);
  // Against the SDK floor: the server reads the model through the SDK, so what it adds is what is above that.
  const added = percentile(steady, 0.99) - percentile(throughSdk, 0.99);
  const addedOverRelayFloor = percentile(steady, 0.99) - percentile(floor.steady, 0.99);
  const verdict =
    steady.length < options.streams
      ? "NOT MEASURED: no moment with every stream running (the machine is too busy to start them all in time)"
      : added <= 2
        ? "OK"
        : "ABOVE GOAL";
  return {
    name: `SSE relay (${options.streams} concurrent streams, ${options.chunks} chunks each every ${options.intervalMs} ms)`,
    lines: [
      `direct from the model: ${(direct.length / directSeconds).toFixed(0)} tokens/s, latency p50 ${percentile(direct, 0.5).toFixed(2)} ms, p99 ${percentile(direct, 0.99).toFixed(2)} ms`,
      `through the server:    ${(relayed.length / relaySeconds).toFixed(0)} tokens/s, latency p50 ${percentile(relayed, 0.5).toFixed(2)} ms, p99 ${percentile(relayed, 0.99).toFixed(2)} ms (${relayed.length}/${options.streams * options.chunks} tokens)`,
      `  steady state (all ${options.streams} streaming): p50 ${percentile(steady, 0.5).toFixed(2)} ms, p99 ${percentile(steady, 0.99).toFixed(2)} ms (${steady.length} tokens)`,
      `through the OpenAI SDK alone (the floor): latency p50 ${percentile(throughSdk, 0.5).toFixed(2)} ms, p99 ${percentile(throughSdk, 0.99).toFixed(2)} ms (${(percentile(throughSdk, 0.99) - percentile(direct, 0.99)).toFixed(2)} ms over raw at p99)`,
      `added by the server at p99 over the SDK floor, steady state: ${added.toFixed(2)} ms (goal <= 2 ms) ${verdict}`,
      `relay floor (a bare Node server: the SDK, one socket write per token, nothing else; ${(floor.cpu * 100).toFixed(0)}% of one core): steady p50 ${percentile(floor.steady, 0.5).toFixed(2)} ms, p99 ${percentile(floor.steady, 0.99).toFixed(2)} ms`,
      `  the server's p99 over that floor: ${addedOverRelayFloor.toFixed(2)} ms (the floor itself adds ${(percentile(floor.steady, 0.99) - percentile(throughSdk, 0.99)).toFixed(2)} ms over the SDK alone)`,
      `server CPU while relaying: ${(serverCpu * 100).toFixed(0)}% of one core`,
      `server peak RSS: ${peakRss.toFixed(0)} MB (goal <= 300 MB) ${peakRss <= 300 ? "OK" : "ABOVE GOAL"}`,
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchSseStreams();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
}
