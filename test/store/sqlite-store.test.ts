import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrations } from "../../runtime/store/sqlite/migrations.js";
import { SqliteConversationStore } from "../../runtime/store/sqlite/sqlite-store.js";
import type { ChatConfig, Message } from "../../runtime/store/types.js";

let directory: string;
let store: SqliteConversationStore;
const config: ChatConfig = { chat: { tools: ["shell"] }, env: {} };
const message = (content: string, extra: Partial<Message> = {}): Message => ({
  role: "user",
  content,
  timestamp: "2025-01-01T00:00:00.000Z",
  ...extra,
});

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

  it("keeps counters and totals on the conversation row", async () => {
    await store.create({ id: "c", config, workspace: "/w", messages: [message("a")] });
    await store.append("c", [
      message("b", { role: "assistant", metadata: { cost: 0.5, input_tokens: 10, output_tokens: 3 } }),
    ]);
    const conversation = await store.get("c");
    expect(conversation).toMatchObject({
      messageCount: 2,
      lastMessageRole: "assistant",
      lastMessagePreview: "b",
      totalCost: 0.5,
      totalInputTokens: 10,
      totalOutputTokens: 3,
    });
  });

  it("keeps branches apart and counts them", async () => {
    await store.create({ id: "c", config, workspace: "/w", messages: [message("a")] });
    await store.append("c", [message("x")], "side");
    expect(await store.messages("c", "side")).toHaveLength(1);
    expect(Object.keys(await store.branches("c"))).toEqual(["main", "side"]);
    expect((await store.get("c"))?.branchCount).toBe(2);
    expect((await store.get("c"))?.messageCount).toBe(1);
  });

  it("reads a slice of a branch and every branch's length without loading the messages", async () => {
    await store.create({ id: "c", config, workspace: "/w", messages: ["0", "1", "2", "3", "4"].map((text) => message(text)) });
    await store.append("c", [message("s0"), message("s1")], "side");
    expect((await store.messageRange("c", "main", 3, 10)).map((each) => each.content)).toEqual(["3", "4"]);
    expect((await store.messageRange("c", "main", 1, 3)).map((each) => each.content)).toEqual(["1", "2"]);
    expect(await store.messageRange("c", "main", 4, 4)).toEqual([]);
    expect(await store.messageRange("c", "nothing", 0, 9)).toEqual([]);
    expect(await store.branchLengths("c")).toEqual({ main: 5, side: 2 });
    await store.replaceMessages("c", [message("only")]);
    expect(await store.branchLengths("c")).toEqual({ main: 1, side: 2 });
    await store.create({ id: "empty", config, workspace: "/w", messages: [] });
    expect(await store.branchLengths("empty")).toEqual({ main: 0 });
    await expect(store.branchLengths("missing")).rejects.toThrow(/not found/);
  });

  it("counts every write to a conversation in its version", async () => {
    await store.create({ id: "c", config, workspace: "/w", messages: [message("a")] });
    await store.create({ id: "other", config, workspace: "/w", messages: [] });
    const versions = [(await store.get("c"))!.version];
    const writes = [
      () => store.append("c", [message("b")]),
      () => store.append("c", [message("x")], "side"),
      () => store.replaceMessages("c", [message("a")]),
      () => store.replaceMessages("c", [message("a")], "side"),
      () => store.updateConfig("c", config),
      () => store.rename("c", "named"),
    ];
    for (const write of writes) {
      await write();
      versions.push((await store.get("c"))!.version);
    }
    expect(new Set(versions).size).toBe(versions.length);
    await store.append("other", [message("elsewhere")]);
    expect((await store.get("c"))!.version).toBe(versions.at(-1));
  });

  it("survives reopening, and deleting cascades to messages", async () => {
    await store.create({ id: "kept", config, workspace: "/w", messages: [message("a")] });
    await store.close();
    store = SqliteConversationStore.open(join(directory, "nested", "gptme.db"));
    expect(await store.messages("kept")).toEqual([message("a")]);
    expect(await store.delete("kept")).toBe(true);
    const left = store.database.prepare("SELECT count(*) AS n FROM messages").get() as { n: number };
    expect(left.n).toBe(0);
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

  it("rejects duplicates atomically and unknown ids clearly", async () => {
    await store.create({ id: "c", config, workspace: "/w", messages: [message("a")] });
    await expect(store.create({ id: "c", config, workspace: "/w", messages: [message("b")] })).rejects.toThrow(
      /already exists/,
    );
    await expect(store.append("missing", [message("x")])).rejects.toThrow(/not found/);
  });
});
