/**
 * What only the PostgreSQL store has: its migrations (applied once however many replicas start
 * together), its query plans (indexes, not scans), and its errors (one line, no password; 503 when
 * the database goes away).
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PostgresDatabase } from "../../runtime/store/postgres/database.js";
import { conversationSummaryColumns } from "../../runtime/store/sqlite/conversation-rows.js";
import { searchStatement } from "../../runtime/store/postgres/conversation-search.js";
import { migratePostgres, postgresMigrations } from "../../runtime/store/postgres/migrations.js";
import { openPostgresStorage } from "../../runtime/store/postgres/postgres-storage.js";
import type { ChatConfig } from "../../runtime/store/types.js";
import { postgresForTests, requirePostgres, skipPostgres } from "../support/postgres-for-tests.js";
import { createDatabase } from "../support/postgres-server.js";
import { type StoreUnderTest, postgresBackendOnly } from "../support/store-backends.js";

const config: ChatConfig = { chat: {}, env: {} };
const latest = Math.max(...postgresMigrations.map((migration) => migration.version));
const availability = await postgresForTests();

/**
 * The plan with sequential scans priced out: on a small table a scan is cheaper and the planner
 * rightly picks it, so this shows that the indexes fit the store's queries (expression, operator
 * class, partial predicate), which is what lets the planner use them on a large one.
 */
async function plan(opened: StoreUnderTest, statement: { text: string; values?: unknown[] }): Promise<string> {
  return opened.postgres!.database.transaction(async (client) => {
    await client.run({ text: "SET LOCAL enable_seqscan = off" });
    const rows = await client.rows<{ "QUERY PLAN": string }>({ text: `EXPLAIN ${statement.text}`, values: statement.values });
    return rows.map((row) => row["QUERY PLAN"]).join("\n");
  });
}

for (const backend of await postgresBackendOnly()) {
  describe("the PostgreSQL store's schema and plans", () => {
    let opened: StoreUnderTest;
    beforeEach(async () => {
      opened = await backend.open();
    });
    afterEach(async () => {
      await opened.close();
    });

    it("records each migration once, and opening again applies nothing", async () => {
      const recorded = await opened.sql<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
      expect(recorded.map((row) => row.version)).toEqual(postgresMigrations.map((migration) => migration.version));
      const database = new PostgresDatabase((opened.postgres!.database.pool as unknown as { options: { connectionString: string } }).options.connectionString);
      try {
        expect(await migratePostgres(database)).toEqual([]);
      } finally {
        await database.close();
      }
    });

    it("brings a database made by an older server up to date, keeping its conversations", async () => {
      const url = (opened.postgres!.database.pool as unknown as { options: { connectionString: string } }).options.connectionString;
      await opened.sql("DROP SCHEMA public CASCADE");
      await opened.sql("CREATE SCHEMA public");
      const older = new PostgresDatabase(url);
      try {
        expect(await migratePostgres(older, postgresMigrations.slice(0, 3))).toEqual([1, 2, 3]);
        await older.run({
          text: `INSERT INTO conversations (id, name, created, modified, config, workspace) VALUES ('old', 'old', 1, 1, '{"chat":{},"env":{}}', '/w')`,
        });
      } finally {
        await older.close();
      }
      const storage = await openPostgresStorage(url);
      try {
        expect(await storage.conversations.get("old")).toMatchObject({ id: "old", version: 0 });
        await storage.conversations.rename("old", "renamed");
        expect(await storage.conversations.get("old")).toMatchObject({ name: "renamed", version: 1 });
      } finally {
        await storage.close();
      }
    });

    it("refuses a database migrated by a newer server", async () => {
      await opened.sql("INSERT INTO schema_migrations (version, description) VALUES ($1, 'from the future')", [latest + 1]);
      const url = (opened.postgres!.database.pool as unknown as { options: { connectionString: string } }).options.connectionString;
      await expect(openPostgresStorage(url)).rejects.toThrow(
        new RegExp(`^cannot open database postgres://postgres@[^/\\s]+/\\S+: its schema is at version ${latest + 1}, newer than this gptme-server knows \\(${latest}\\)`),
      );
    });

    it("lists through the (modified, id) index and searches message text through the trigram index", async () => {
      await opened.sql(
        `INSERT INTO conversations (id, name, created, modified, config, workspace)
         SELECT 'c' || n, 'Conversation ' || n, n, n, '{"chat":{},"env":{}}', '/w' FROM generate_series(1, 3000) AS n`,
      );
      await opened.sql(
        `INSERT INTO messages (conversation_id, branch, position, role, content, timestamp)
         SELECT 'c' || n, 'main', 0, 'user', 'a message about topic ' || n || ' and more words', 't' FROM generate_series(1, 3000) AS n`,
      );
      await opened.sql("ANALYZE conversations");
      await opened.sql("ANALYZE messages");
      const listPlan = await plan(opened, {
        text: `SELECT ${conversationSummaryColumns} FROM conversations ORDER BY modified DESC, id DESC LIMIT 20`,
      });
      expect(listPlan).toMatch(/Index Scan using conversations_by_modified/);
      const nextPlan = await plan(opened, {
        text: `SELECT ${conversationSummaryColumns} FROM conversations WHERE (modified, id) < ($1, $2) ORDER BY modified DESC, id DESC LIMIT 20`,
        values: [1500, "c1500"],
      });
      expect(nextPlan).toMatch(/Index Cond: \(ROW\(modified, id\) < ROW/);
      const searchPlan = await plan(opened, searchStatement("topic 2999", 21));
      expect(searchPlan).toMatch(/Bitmap Index Scan on messages_text_search/);
      expect(searchPlan).not.toMatch(/Seq Scan on messages/);
      const page = await opened.store.list({ limit: 5, query: "TOPIC 2999" });
      expect(page.items.map((item) => item.id)).toEqual(["c2999"]);
      expect(page.items[0]!.searchSnippet).toBe("a message about topic 2999 and more words");
    });
  });
}

describe.skipIf(skipPostgres(availability))("replicas starting together on an empty database", () => {
  it("apply each migration once: one applies, the others wait for its lock and find nothing to do", async () => {
    const database = await createDatabase(requirePostgres(availability), "gptme_migrate");
    try {
      const opened = await Promise.all(Array.from({ length: 5 }, () => openPostgresStorage(database.url, { maxConnections: 2 })));
      const recorded = await opened[0]!.database.rows<{ version: number; count: number }>({
        text: "SELECT version, count(*) OVER (PARTITION BY version) AS count FROM schema_migrations ORDER BY version",
      });
      expect(recorded).toEqual(postgresMigrations.map((migration) => ({ version: migration.version, count: 1 })));
      await opened[1]!.conversations.create({ id: "c", config, workspace: "/w", messages: [] });
      expect(await opened[4]!.conversations.get("c")).toMatchObject({ id: "c" });
      for (const storage of opened) await storage.close();
    } finally {
      await database.drop();
    }
  });
});

describe("opening PostgreSQL fails in one line, without the password", () => {
  it("names an unreachable server", async () => {
    const error = await openPostgresStorage("postgres://gptme:hunter2@127.0.0.1:1/gptme").then(
      () => new Error("opened"),
      (caught: unknown) => caught as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/^cannot open database postgres:\/\/gptme:\*\*\*@127\.0\.0\.1:1\/gptme: .*ECONNREFUSED/);
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("\n");
  });
});

describe.skipIf(skipPostgres(availability))("a database that goes away under a running store", () => {
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await createDatabase(requirePostgres(availability), "gptme_gone");
  });
  afterAll(async () => {
    await database.drop();
  });

  it("answers 503 with a message, not a driver error", async () => {
    const storage = await openPostgresStorage(database.url);
    try {
      await storage.conversations.create({ id: "c", config, workspace: "/w", messages: [] });
      await database.drop();
      for (const attempt of [() => storage.conversations.get("c"), () => storage.conversations.list({ limit: 5 })]) {
        const error = await attempt().then(
          () => null,
          (caught: unknown) => caught as { status?: number; message: string },
        );
        expect(error).toMatchObject({ status: 503 });
        expect(error!.message).toMatch(/^The database is unavailable: /);
      }
    } finally {
      await storage.close();
    }
  });
});
