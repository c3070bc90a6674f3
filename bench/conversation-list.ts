/**
 * `GET /api/v2/conversations?limit=20` over 10 000 seeded conversations, next to a bare Hono route
 * (no middleware) answering the same JSON, both on one server in the same run. Rounds alternate
 * bare / cached list / list with one append between every 10 lists (each append invalidates the
 * cached body), so a busy moment of the machine hits all three alike; the ratios are medians over
 * the rounds. Goals: cached >= 80% of bare, with appends >= 50%.
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { nodeFetchHandler } from "../adapters/node/fetch-handler.js";
import { createApp } from "../handlers/app.js";
import { createLocalRuntime } from "../runtime/local-runtime.js";
import { createServerLog } from "../runtime/logging/server-log.js";
import { load, send, type LoadResult } from "./http-load.js";

const topics = ["quokka", "wombat", "platypus", "echidna", "kookaburra", "dingo", "emu", "koala", "numbat", "bilby"];

/** Median time of the store's search (no HTTP, no body cache) for each query. */
async function timeSearches(store: { list(options: { limit: number; query: string }): Promise<unknown> }) {
  const lines: string[] = [];
  for (const query of ["numbered 4242", "wombat", "zz", "no such words anywhere"]) {
    const timings: number[] = [];
    for (let run = 0; run < 15; run++) {
      const started = performance.now();
      await store.list({ limit: 20, query });
      timings.push(performance.now() - started);
    }
    timings.sort((left, right) => left - right);
    lines.push(`store search q=${JSON.stringify(query).padEnd(25)} ${timings[7]!.toFixed(2)} ms (median of 15)`);
  }
  return lines;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function benchConversationList(options = { seconds: 1, rounds: 5, concurrency: 16, conversations: 10_000 }) {
  const loadAverage = loadavg().map((value) => value.toFixed(1)).join(" ");
  const directory = mkdtempSync(join(tmpdir(), "gptme-bench-"));
  const local = createLocalRuntime({
    env: { HOME: directory },
    databasePath: join(directory, "gptme.db"),
    dataDirectory: directory,
    defaultWorkspace: directory,
    authToken: "bench-token",
    userConfigPath: null,
  });
  const store = local.runtime.store as unknown as { database: import("better-sqlite3").Database };
  const insertConversation = store.database.prepare(
    `INSERT INTO conversations (id, name, created, modified, config, workspace, message_count, last_message_role, last_message_preview)
     VALUES (?, ?, ?, ?, ?, ?, 2, 'assistant', 'a reply')`,
  );
  const insertMessage = store.database.prepare(
    "INSERT INTO messages (conversation_id, branch, position, role, content, timestamp) VALUES (?, 'main', ?, ?, ?, ?)",
  );
  const now = Date.now() / 1000;
  store.database.transaction(() => {
    for (let index = 0; index < options.conversations; index++) {
      const id = `bench-${String(index).padStart(5, "0")}`;
      insertConversation.run(id, `Conversation ${index}`, now - index, now - index, '{"chat":{},"env":{}}', directory);
      insertMessage.run(id, 0, "user", "hello", new Date().toISOString());
      insertMessage.run(id, 1, "assistant", `a reply about the ${topics[index % topics.length]} numbered ${index}`, new Date().toISOString());
    }
  })();

  const searchLines = await timeSearches(local.runtime.store);
  const app = createApp();
  const headers = { authorization: "Bearer bench-token" };
  const sample = (await (await app.request("/api/v2/conversations?limit=20", { headers }, local.runtime)).json()) as unknown[];
  const bare = new Hono();
  bare.get("/bare", (c) => c.json(sample));
  // Through the Node adapter's own per-request code, as the server runs it (request log off, as by default).
  const ours = nodeFetchHandler(
    (request) => Promise.resolve(app.fetch(request, local.runtime)),
    createServerLog({ format: "text", write: () => {}, secrets: [], requests: false }),
  );
  const server = serve({
    fetch: (request, bindings) => (new URL(request.url).pathname === "/bare" ? bare.fetch(request) : ours(request, bindings)),
    port: 0,
    hostname: "127.0.0.1",
  });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const listUrl = `${base}/api/v2/conversations?limit=20`;
  let appended = 0;
  let appendFailures = 0;
  const appendAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const append = async () => {
    // Moves an older conversation to the top: the first page changes, so the next list renders anew.
    const id = `bench-${String(1000 + (appended++ % 9000)).padStart(5, "0")}`;
    const body = JSON.stringify({ role: "user", content: `appended ${appended}` });
    const status = await send(appendAgent, new URL(`${base}/api/v2/conversations/${id}`), { ...headers, "content-type": "application/json" }, "POST", body);
    if (status !== 200) appendFailures += 1;
  };
  const writer = fork(fileURLToPath(new URL("./store-writer.ts", import.meta.url)), [join(directory, "gptme.db")], {
    execArgv: ["--import", "tsx"],
  });
  await new Promise<void>((resolve) => writer.once("message", () => resolve()));
  let written = 0;
  // Several clients may wait on the writer at once: each answer settles the oldest request.
  const waiting: Array<(answer: unknown) => void> = [];
  writer.on("message", (answer) => waiting.shift()?.(answer));
  const appendElsewhere = () =>
    new Promise<void>((resolve) => {
      const id = `bench-${String(1000 + (written++ % 9000)).padStart(5, "0")}`;
      waiting.push((answer) => {
        if (answer !== "ok") appendFailures += 1;
        resolve();
      });
      writer.send({ id, content: `written by another process ${written}` });
    });
  const warm = { seconds: 0.5, concurrency: options.concurrency };
  await load(`${base}/bare`, warm);
  await load(listUrl, { ...warm, headers });
  await load(listUrl, { ...warm, headers, between: { every: 10, action: append } });
  await load(listUrl, { ...warm, headers, between: { every: 10, action: appendElsewhere } });

  const rounds: Array<{ bare: LoadResult; cached: LoadResult; invalidated: LoadResult; elsewhere: LoadResult }> = [];
  for (let round = 0; round < options.rounds; round++) {
    const run = { seconds: options.seconds, concurrency: options.concurrency };
    const bareResult = await load(`${base}/bare`, run);
    const cached = await load(listUrl, { ...run, headers });
    const invalidated = await load(listUrl, { ...run, headers, between: { every: 10, action: append } });
    const elsewhere = await load(listUrl, { ...run, headers, between: { every: 10, action: appendElsewhere } });
    rounds.push({ bare: bareResult, cached, invalidated, elsewhere });
  }
  writer.disconnect();
  appendAgent.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await local.close();
  rmSync(directory, { recursive: true, force: true });

  const ratioOf = (pick: (round: (typeof rounds)[number]) => LoadResult, rate: (result: LoadResult) => number) =>
    median(rounds.map((round) => rate(pick(round)) / rate(round.bare)));
  const wall = (result: LoadResult) => result.requestsPerSecond;
  const cpu = (result: LoadResult) => result.requestsPerCpuSecond;
  const errors = rounds.reduce((sum, round) => sum + round.cached.errors + round.invalidated.errors + round.elsewhere.errors, 0) + appendFailures;
  const describe = (pick: (round: (typeof rounds)[number]) => LoadResult, goal?: number) => {
    const rate = median(rounds.map((round) => pick(round).requestsPerSecond));
    const perCpu = median(rounds.map((round) => pick(round).requestsPerCpuSecond));
    const p99 = median(rounds.map((round) => pick(round).p99Ms));
    const figures = `${rate.toFixed(0)} req/s (${perCpu.toFixed(0)} per CPU-second), p99 ${p99.toFixed(2)} ms`;
    if (goal === undefined) return figures;
    const byWall = ratioOf(pick, wall);
    const byCpu = ratioOf(pick, cpu);
    return `${figures}\n     = ${(byWall * 100).toFixed(0)}% of bare by req/s, ${(byCpu * 100).toFixed(0)}% by CPU time per request (goal >= ${goal * 100}%) ${Math.max(byWall, byCpu) >= goal ? (Math.min(byWall, byCpu) >= goal ? "OK" : "OK by one measure") : "BELOW GOAL"}`;
  };
  return {
    name: `conversation list (${options.conversations} conversations, limit=20, ${options.concurrency} clients, ${options.rounds} rounds of ${options.seconds} s, medians)`,
    lines: [
      `load average at start: ${loadAverage}`,
      `bare Hono route, same JSON, no middleware (the floor): ${describe((round) => round.bare)}`,
      `GET /api/v2/conversations?limit=20, body reused: ${describe((round) => round.cached, 0.8)}`,
      `  with one append (POST to this server) between every 10 lists (${appended} appends): ${describe((round) => round.invalidated, 0.5)}`,
      `  with one append by another process (as the CLI) between every 10 lists (${written} appends): ${describe((round) => round.elsewhere, 0.5)}`,
      `errors: ${errors}`,
      ...searchLines,
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchConversationList();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
}
