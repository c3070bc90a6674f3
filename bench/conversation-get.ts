/**
 * `GET /api/v2/conversations/{id}` of a 1 000-message conversation, and of a 100 000-message one
 * with `limit=100`, next to a bare Hono route sending the same bytes (the floor) on the same server:
 * median and p99 of warm requests, one keep-alive client, rounds alternated. Also what a changed
 * conversation costs (one append before every GET: the body is rendered anew). Goals: <= 3 ms at
 * 1 000 messages, <= 30 ms at 100 000 with limit (issue 16, quiet machine).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { nodeFetchHandler } from "../adapters/node/fetch-handler.js";
import { createApp } from "../handlers/app.js";
import { createLocalRuntime } from "../runtime/local-runtime.js";
import { createServerLog } from "../runtime/logging/server-log.js";
import { percentile } from "./http-load.js";

/** A reply of a few hundred bytes, like a real conversation's average. */
const reply = (index: number) =>
  `Reply ${index}: here is what I found.\n\n\`\`\`shell\nls -la src/\n\`\`\`\n\nThe folder holds the sources; next I will read the main module and summarize what it exports, then propose a change.`;

function get(agent: Agent, url: URL, headers: Record<string, string>): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (response) => {
      let bytes = 0;
      response.on("data", (chunk: Buffer) => (bytes += chunk.length));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, bytes }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function timeRequests(count: number, run: () => Promise<unknown>, before?: () => Promise<void>) {
  const timings: number[] = [];
  for (let index = 0; index < count; index++) {
    await before?.();
    const started = performance.now();
    await run();
    timings.push(performance.now() - started);
  }
  return timings;
}

export async function benchConversationGet(options = { rounds: 5, requests: 40 }) {
  const loadAverage = loadavg().map((value) => value.toFixed(1)).join(" ");
  const directory = mkdtempSync(join(tmpdir(), "gptme-get-bench-"));
  const local = createLocalRuntime({
    env: { HOME: directory },
    databasePath: join(directory, "gptme.db"),
    dataDirectory: directory,
    defaultWorkspace: directory,
    authToken: "bench-token",
    userConfigPath: null,
  });
  const store = local.runtime.store;
  const seed = async (id: string, count: number) => {
    await store.create({ id, config: { chat: {}, env: {} } as never, workspace: directory, messages: [] });
    const timestamp = new Date().toISOString();
    for (let start = 0; start < count; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - start) }, (_, offset) => {
        const index = start + offset;
        return { role: index % 2 ? "assistant" : "user", content: index % 2 ? reply(index) : `Question ${index}: what is in src?`, timestamp } as const;
      });
      await store.append(id, [...batch]);
    }
  };
  // The "changed" twins take the appends, so the others keep the size their floor was taken at.
  await seed("thousand", 1_000);
  await seed("thousand-changed", 1_000);
  await seed("hundred-thousand", 100_000);
  await seed("hundred-thousand-changed", 100_000);

  const app = createApp();
  const headers = { authorization: "Bearer bench-token" };
  const bodyOf = async (path: string) => (await app.request(path, { headers }, local.runtime)).text();
  const floors = new Map([
    ["/bare/thousand", await bodyOf("/api/v2/conversations/thousand")],
    ["/bare/limited", await bodyOf("/api/v2/conversations/hundred-thousand?limit=100")],
  ]);
  const bare = new Hono();
  bare.get("/bare/:name", (c) => c.body(floors.get(c.req.path)!, 200, { "Content-Type": "application/json" }));
  // Through the Node adapter's own per-request code, as the server runs it (request log off, as by default).
  const ours = nodeFetchHandler(
    (request) => Promise.resolve(app.fetch(request, local.runtime)),
    createServerLog({ format: "text", write: () => {}, secrets: [], requests: false }),
  );
  const server = serve({
    fetch: (request, bindings) => (new URL(request.url).pathname.startsWith("/bare/") ? bare.fetch(request) : ours(request, bindings)),
    port: 0,
    hostname: "127.0.0.1",
  });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let appended = 0;
  const appendTo = (id: string) => async () => {
    await store.append(id, [{ role: "user", content: `appended ${appended++}`, timestamp: new Date().toISOString() }]);
  };

  const cases = [
    { label: "bare route, same 1 000-message bytes (floor)", path: "/bare/thousand" },
    { label: "GET 1 000 messages", path: "/api/v2/conversations/thousand", goal: 3 },
    { label: "  one append before each GET (rendered anew)", path: "/api/v2/conversations/thousand-changed", before: appendTo("thousand-changed") },
    { label: "bare route, same limit=100 bytes (floor)", path: "/bare/limited" },
    { label: "GET 100 000 messages, limit=100", path: "/api/v2/conversations/hundred-thousand?limit=100", goal: 30 },
    { label: "  one append before each GET (rendered anew) ", path: "/api/v2/conversations/hundred-thousand-changed?limit=100", before: appendTo("hundred-thousand-changed") },
  ];
  const timings = new Map<string, number[]>(cases.map((entry) => [entry.label, []]));
  const sizes = new Map<string, number>();
  for (let round = 0; round <= options.rounds; round++) {
    for (const entry of cases) {
      const url = new URL(`${base}${entry.path}`);
      const result = await timeRequests(options.requests, async () => {
        const answer = await get(agent, url, headers);
        if (answer.status !== 200) throw new Error(`${entry.path}: ${answer.status}`);
        sizes.set(entry.label, answer.bytes);
      }, entry.before);
      // Round 0 warms up (JIT, caches) and is not counted.
      if (round > 0) timings.get(entry.label)!.push(...result);
    }
  }
  const full = await timeRequests(1, () => get(agent, new URL(`${base}/api/v2/conversations/hundred-thousand`), headers));
  const fullSize = (await get(agent, new URL(`${base}/api/v2/conversations/hundred-thousand`), headers)).bytes;
  agent.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await local.close();
  rmSync(directory, { recursive: true, force: true });

  const lines = [`load average at start: ${loadAverage}`];
  let floor = 0;
  for (const entry of cases) {
    const sorted = timings.get(entry.label)!.sort((left, right) => left - right);
    const p50 = percentile(sorted, 0.5);
    if (entry.path.startsWith("/bare/")) floor = p50;
    const kilobytes = ((sizes.get(entry.label) ?? 0) / 1024).toFixed(0);
    let verdict = "";
    if (entry.goal !== undefined) {
      const status = p50 <= entry.goal ? "OK" : floor > entry.goal ? "ABOVE GOAL: the floor is above it on this machine" : "ABOVE GOAL";
      verdict = `\n${" ".repeat(48)}= floor + ${(p50 - floor).toFixed(2)} ms (goal <= ${entry.goal} ms) ${status}`;
    }
    lines.push(`${entry.label.padEnd(46)} p50 ${p50.toFixed(2).padStart(7)} ms, p99 ${percentile(sorted, 0.99).toFixed(2).padStart(7)} ms, ${kilobytes} KB${verdict}`);
  }
  lines.push(`GET 100 000 messages without limit (once, rendered anew): ${full[0]!.toFixed(0)} ms, ${(fullSize / 1024 / 1024).toFixed(1)} MB`);
  return { name: `conversation GET (one keep-alive client, medians of ${options.rounds} x ${options.requests} warm requests)`, lines };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchConversationGet();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
}
