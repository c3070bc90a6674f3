/**
 * The list, a conversation's GET and the store's search on PostgreSQL beside SQLite, in the same
 * run, over the same seeded data (10 000 conversations, one of 200 messages). The bench starts its
 * own PostgreSQL (as the tests do); when it cannot, it says so and prints the SQLite rows alone.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import { createApp } from "../handlers/app.js";
import { createLocalRuntime } from "../runtime/local-runtime.js";
import { openSqliteStorage } from "../runtime/store/open-storage.js";
import { openPostgresStorage, type PostgresStorage } from "../runtime/store/postgres/postgres-storage.js";
import type { SqliteConversationStore } from "../runtime/store/sqlite/sqlite-store.js";
import type { Storage } from "../runtime/store/storage.js";
import type { Message } from "../runtime/store/types.js";
import { createDatabase, type PostgresServer, startPostgres, stopPostgres } from "../test/support/postgres-server.js";
import { load, type LoadResult } from "./http-load.js";

const topics = ["quokka", "wombat", "platypus", "echidna", "kookaburra", "dingo", "emu", "koala", "numbat", "bilby"];
const token = "bench-token";

interface Seed {
  conversations: Array<[id: string, name: string, modified: number, preview: string, opening: string]>;
  messages: Array<[conversationId: string, position: number, role: string, content: string]>;
}

function seedData(count: number): Seed {
  const now = Date.now() / 1000;
  const seed: Seed = { conversations: [], messages: [] };
  for (let index = 0; index < count; index++) {
    const id = `bench-${String(index).padStart(5, "0")}`;
    const reply = `a reply about the ${topics[index % topics.length]} numbered ${index}`;
    seed.conversations.push([id, `Conversation ${index}`, now - index, reply, "hello"]);
    seed.messages.push([id, 0, "user", "hello"], [id, 1, "assistant", reply]);
  }
  return seed;
}

function seedSqlite(store: SqliteConversationStore, seed: Seed, workspace: string): void {
  const database = store.database;
  const conversation = database.prepare(
    `INSERT INTO conversations (id, name, created, modified, config, workspace, message_count, last_message_role,
       last_message_preview, first_user_message_preview) VALUES (?, ?, ?, ?, '{"chat":{},"env":{}}', ?, 2, 'assistant', ?, ?)`,
  );
  const message = database.prepare(
    "INSERT INTO messages (conversation_id, branch, position, role, content, timestamp) VALUES (?, 'main', ?, ?, ?, '2025-01-01T00:00:00Z')",
  );
  database.transaction(() => {
    for (const [id, name, modified, preview, opening] of seed.conversations) conversation.run(id, name, modified, modified, workspace, preview, opening);
    for (const [id, position, role, content] of seed.messages) message.run(id, position, role, content);
  })();
}

async function seedPostgres(storage: PostgresStorage, seed: Seed, workspace: string): Promise<void> {
  const column = <T>(rows: unknown[][], index: number) => rows.map((row) => row[index] as T);
  await storage.database.transaction(async (client) => {
    const conversations = seed.conversations;
    await client.run({
      text: `INSERT INTO conversations (id, name, created, modified, config, workspace, message_count, last_message_role,
               last_message_preview, first_user_message_preview)
             SELECT id, name, modified, modified, '{"chat":{},"env":{}}', $6, 2, 'assistant', preview, opening
             FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::text[]) AS seed (id, name, modified, preview, opening)`,
      values: [0, 1, 2, 3, 4].map((index) => column(conversations, index)).concat([workspace]),
    });
    const messages = seed.messages;
    await client.run({
      text: `INSERT INTO messages (conversation_id, branch, position, role, content, timestamp)
             SELECT id, 'main', position, role, content, '2025-01-01T00:00:00Z'
             FROM unnest($1::text[], $2::int[], $3::text[], $4::text[]) AS seed (id, position, role, content)`,
      values: [0, 1, 2, 3].map((index) => column(messages, index)),
    });
  });
  await storage.database.run({ text: "ANALYZE" });
}

/** One conversation of 200 messages through the store itself (what GET reads). */
async function seedLongConversation(storage: Storage, workspace: string): Promise<string> {
  const id = "bench-long";
  const text = (index: number) => `message ${index}: ${"some words about the work at hand ".repeat(8)}`;
  await storage.conversations.create({ id, config: { chat: {}, env: {} }, workspace, messages: [] });
  for (let batch = 0; batch < 20; batch++) {
    const messages: Message[] = Array.from({ length: 10 }, (_, offset) => ({
      role: offset % 2 === 0 ? "user" : "assistant",
      content: text(batch * 10 + offset),
      timestamp: "2025-01-01T00:00:00.000Z",
    }));
    await storage.conversations.append(id, messages);
  }
  return id;
}

async function medianMs(times: number, work: () => Promise<unknown>): Promise<number> {
  const timings: number[] = [];
  for (let run = 0; run < times; run++) {
    const started = performance.now();
    await work();
    timings.push(performance.now() - started);
  }
  timings.sort((left, right) => left - right);
  return timings[Math.floor(times / 2)]!;
}

interface Measured {
  list: LoadResult;
  get: LoadResult;
  storeList: number;
  searches: Array<[string, number]>;
}

async function measure(storage: Storage, directory: string, longId: string, options: { seconds: number; concurrency: number }): Promise<Measured> {
  const local = createLocalRuntime({
    env: { HOME: directory },
    storage,
    dataDirectory: directory,
    defaultWorkspace: directory,
    authToken: token,
    userConfigPath: null,
  });
  const app = createApp();
  const server = serve({ fetch: (request) => app.fetch(request, local.runtime), port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const headers = { authorization: `Bearer ${token}` };
  try {
    const listUrl = `${base}/api/v2/conversations?limit=20`;
    const getUrl = `${base}/api/v2/conversations/${longId}`;
    await load(listUrl, { seconds: 0.5, concurrency: options.concurrency, headers });
    await load(getUrl, { seconds: 0.5, concurrency: options.concurrency, headers });
    const list = await load(listUrl, { ...options, headers });
    const get = await load(getUrl, { ...options, headers });
    const storeList = await medianMs(31, () => storage.conversations.list({ limit: 20 }));
    const searches: Array<[string, number]> = [];
    for (const query of ["numbered 4242", "wombat", "zz", "no such words anywhere"]) {
      searches.push([query, await medianMs(15, () => storage.conversations.list({ limit: 20, query }))]);
    }
    return { list, get, storeList, searches };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await local.close();
  }
}

const rate = (result: LoadResult) => `${result.requestsPerSecond.toFixed(0).padStart(6)} req/s, p99 ${result.p99Ms.toFixed(2)} ms, errors ${result.errors}`;

export async function benchStoreBackends(options = { seconds: 3, concurrency: 16, conversations: 10_000 }) {
  const directory = mkdtempSync(join(tmpdir(), "gptme-bench-stores-"));
  const seed = seedData(options.conversations);
  const lines: string[] = [];
  let postgres: PostgresServer | null = null;
  try {
    const sqlite = openSqliteStorage(join(directory, "gptme.db"));
    seedSqlite(sqlite.conversations as SqliteConversationStore, seed, directory);
    const sqliteResult = await measure(sqlite, directory, await seedLongConversation(sqlite, directory), options);

    let postgresResult: Measured | null = null;
    let skipped = "";
    try {
      postgres = await startPostgres();
      const database = await createDatabase(postgres.adminUrl, "gptme_bench");
      const storage = await openPostgresStorage(database.url);
      await seedPostgres(storage, seed, directory);
      postgresResult = await measure(storage, directory, await seedLongConversation(storage, directory), options);
    } catch (error) {
      skipped = error instanceof Error ? error.message : String(error);
    }

    const ratio = (pg: number, sqlite: number) => `${((pg / sqlite) * 100).toFixed(0)}% of SQLite`;
    lines.push(`GET /api/v2/conversations?limit=20  SQLite:     ${rate(sqliteResult.list)}`);
    if (postgresResult) lines.push(`                                     PostgreSQL: ${rate(postgresResult.list)} (${ratio(postgresResult.list.requestsPerSecond, sqliteResult.list.requestsPerSecond)}; each request asks PostgreSQL for the change token)`);
    lines.push(`GET /api/v2/conversations/<200 msgs> SQLite:     ${rate(sqliteResult.get)}`);
    if (postgresResult) lines.push(`                                     PostgreSQL: ${rate(postgresResult.get)} (${ratio(postgresResult.get.requestsPerSecond, sqliteResult.get.requestsPerSecond)})`);
    lines.push(
      `store list(limit=20), uncached: SQLite ${sqliteResult.storeList.toFixed(2)} ms` +
        (postgresResult ? `, PostgreSQL ${postgresResult.storeList.toFixed(2)} ms (median of 31)` : " (median of 31)"),
    );
    for (const [index, [query, sqliteMs]] of sqliteResult.searches.entries()) {
      const pgMs = postgresResult?.searches[index]?.[1];
      lines.push(`store search q=${JSON.stringify(query).padEnd(25)} SQLite ${sqliteMs.toFixed(2)} ms${pgMs === undefined ? "" : `, PostgreSQL ${pgMs.toFixed(2)} ms`} (median of 15)`);
    }
    if (!postgresResult) lines.push(`PostgreSQL rows skipped: ${skipped}`);
  } finally {
    if (postgres) await stopPostgres(postgres);
    rmSync(directory, { recursive: true, force: true });
  }
  return { name: `conversation store: SQLite and PostgreSQL (${options.conversations} conversations, ${options.concurrency} clients)`, lines };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchStoreBackends();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
}
