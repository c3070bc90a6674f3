import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    expect(store.database.pragma("user_version", { simple: true })).toBe(migrations.at(-1)!.version);
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

  it("survives reopening, and deleting cascades to messages", async () => {
    await store.create({ id: "kept", config, workspace: "/w", messages: [message("a")] });
    await store.close();
    store = SqliteConversationStore.open(join(directory, "nested", "gptme.db"));
    expect(await store.messages("kept")).toEqual([message("a")]);
    expect(await store.delete("kept")).toBe(true);
    const left = store.database.prepare("SELECT count(*) AS n FROM messages").get() as { n: number };
    expect(left.n).toBe(0);
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
