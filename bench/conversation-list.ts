/**
 * `GET /api/v2/conversations?limit=20` over 10 000 seeded conversations, next to a bare Hono route
 * answering a similar JSON array, both on one server in the same run (goal: ≥ 50% of bare req/s).
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createApp } from "../handlers/app.js";
import { createLocalRuntime } from "../runtime/local-runtime.js";
import { load } from "./http-load.js";

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

export async function benchConversationList(options = { seconds: 3, concurrency: 16, conversations: 10_000 }) {
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
  const sample = (await (await app.request("/api/v2/conversations?limit=20", { headers: { authorization: "Bearer bench-token" } }, local.runtime)).json()) as unknown[];
  const bare = new Hono();
  bare.get("/bare", (c) => c.json(sample));
  const server = serve({
    fetch: (request) => (new URL(request.url).pathname === "/bare" ? bare.fetch(request) : app.fetch(request, local.runtime)),
    port: 0,
    hostname: "127.0.0.1",
  });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const headers = { authorization: "Bearer bench-token" };
  await load(`${base}/bare`, { seconds: 0.5, concurrency: options.concurrency });
  await load(`${base}/api/v2/conversations?limit=20`, { seconds: 0.5, concurrency: options.concurrency, headers });
  const bareResult = await load(`${base}/bare`, { seconds: options.seconds, concurrency: options.concurrency });
  const listResult = await load(`${base}/api/v2/conversations?limit=20`, { seconds: options.seconds, concurrency: options.concurrency, headers });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await local.close();
  rmSync(directory, { recursive: true, force: true });
  const ratio = listResult.requestsPerSecond / bareResult.requestsPerSecond;
  return {
    name: `conversation list (${options.conversations} conversations, limit=20, ${options.concurrency} clients)`,
    lines: [
      `bare Hono route:        ${bareResult.requestsPerSecond.toFixed(0)} req/s, p99 ${bareResult.p99Ms.toFixed(2)} ms`,
      `GET /api/v2/conversations: ${listResult.requestsPerSecond.toFixed(0)} req/s, p99 ${listResult.p99Ms.toFixed(2)} ms, errors ${listResult.errors} (the body is reused until the store changes)`,
      `ratio: ${(ratio * 100).toFixed(0)}% of bare (goal >= 50%) ${ratio >= 0.5 ? "OK" : "BELOW GOAL"}`,
      ...searchLines,
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchConversationList();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
}
