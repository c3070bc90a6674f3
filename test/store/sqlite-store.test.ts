/** What only the SQLite store has: its pragmas, query plans and migrations of old files (the contract is in conversation-store.test.ts). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrations } from "../../runtime/store/sqlite/migrations.js";
import { SqliteConversationStore } from "../../runtime/store/sqlite/sqlite-store.js";

let directory: string;
let store: SqliteConversationStore;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "gptme-store-"));
  store = SqliteConversationStore.open(join(directory, "nested", "gptme.db"));
});
afterEach(async () => {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
});

describe("SqliteConversationStore", () => {
  it("opens with WAL, foreign keys and the latest schema", () => {
    expect(store.database.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.database.pragma("foreign_keys", { simple: true })).toBe(1);
    const latest = Math.max(...migrations.map((migration) => migration.version));
    expect(store.database.pragma("user_version", { simple: true })).toBe(latest);
  });

  it("migrates a database made before the version column, keeping its conversations", async () => {
    const path = join(directory, "old.db");
    const old = new BetterSqlite3(path);
    old.exec(migrations[0]!.sql);
    old.pragma("user_version = 1");
    old.prepare("INSERT INTO conversations (id, name, created, modified, config, workspace) VALUES ('old', 'old', 1, 1, '{\"chat\":{},\"env\":{}}', '/w')").run();
    old.close();
    const migrated = SqliteConversationStore.open(path);
    expect(await migrated.get("old")).toMatchObject({ id: "old", version: 0 });
    await migrated.rename("old", "renamed");
    expect((await migrated.get("old"))!.version).toBe(1);
    await migrated.close();
  });

  it("lists by an index on modified, never scanning messages", () => {
    const plan = store.database
      .prepare("EXPLAIN QUERY PLAN SELECT id FROM conversations ORDER BY modified DESC, id DESC LIMIT 20")
      .all() as Array<{ detail: string }>;
    expect(plan.map((row) => row.detail).join(" ")).toMatch(/conversations_by_modified/);
  });
});

