/**
 * The server's WAL checkpoints run on a worker thread: the main connection never checkpoints inside
 * a commit while the worker runs, the file still gets every page, and nothing is left when it stops.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SqliteConversationStore } from "../../runtime/store/sqlite/sqlite-store.js";
import type { ChatConfig, Message } from "../../runtime/store/types.js";

const config: ChatConfig = { chat: { name: "named" }, env: {} };
const message = (content: string): Message => ({ role: "user", content, timestamp: "2025-01-01T00:00:00.000Z" });

describe("WAL checkpoints on a worker thread", () => {
  let directory: string;
  let path: string;
  let store: SqliteConversationStore;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "gptme-wal-"));
    path = join(directory, "gptme.db");
    store = SqliteConversationStore.open(path);
  });
  afterEach(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** About 3 MB of messages: three times what the default automatic checkpoint lets the WAL hold. */
  async function writeMegabytes(): Promise<void> {
    await store.create({ id: "big", config, workspace: "/w", messages: [message("start")] });
    for (let index = 0; index < 30; index++) await store.append("big", [message(`${index} ${"x".repeat(100_000)}`)]);
  }

  async function databaseFileGrows(before: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (statSync(path).size > before + 2_000_000) return true;
      await delay(20);
    }
    return false;
  }

  it("turns the main connection's automatic checkpoints off, and copies the WAL into the file from the worker", async () => {
    const checkpointer = store.checkpointInBackground({ intervalMs: 50 })!;
    expect(await checkpointer.ready).toBe(true);
    expect(store.database.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    const before = statSync(path).size;
    await writeMegabytes();
    // Only a checkpoint writes pages into the database file: with the main connection's off, the worker's did.
    expect(await databaseFileGrows(before, 10_000)).toBe(true);
    expect((await store.messages("big")).length).toBe(31);
  });

  it("without the worker nothing checkpoints once automatic checkpoints are off (what the test above relies on)", async () => {
    store.database.pragma("wal_autocheckpoint = 0");
    const before = statSync(path).size;
    await writeMegabytes();
    expect(await databaseFileGrows(before, 300)).toBe(false);
  });

  it("stops the worker on close: the WAL is checkpointed and removed, and the data reopens whole", async () => {
    const failures: string[] = [];
    const checkpointer = store.checkpointInBackground({ intervalMs: 50, onFailure: (reason) => failures.push(reason) })!;
    expect(await checkpointer.ready).toBe(true);
    await writeMegabytes();
    await store.close();
    // Stopped on purpose: not a failure to report.
    expect(failures).toEqual([]);
    expect(existsSync(`${path}-wal`)).toBe(false);
    store = SqliteConversationStore.open(path);
    expect((await store.messages("big")).length).toBe(31);
    expect(store.database.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
  });

  it("keeps the main connection checkpointing when the worker cannot start", async () => {
    const failures: string[] = [];
    const checkpointer = store.checkpointInBackground({ driver: join(directory, "no-such-driver.js"), onFailure: (reason) => failures.push(reason) })!;
    expect(await checkpointer.ready).toBe(false);
    await vi.waitFor(() => expect(failures).toEqual([expect.stringContaining("no-such-driver.js")]));
    expect(store.database.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    const before = statSync(path).size;
    await writeMegabytes();
    expect(await databaseFileGrows(before, 300)).toBe(true);
  });

  it("can wait for the first draft write (as the server does), and runs that hook once", async () => {
    let starts = 0;
    store.drafts.onFirstWrite(() => {
      starts += 1;
      store.checkpointInBackground({ intervalMs: 50 });
    });
    await store.create({ id: "a", config, workspace: "/w", messages: [message("hi")] });
    expect(starts).toBe(0);
    expect(store.database.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    const draft = { conversationId: "a", branch: "main", position: 1, model: "m", updated: "2025-01-01T00:00:00.000Z" };
    await store.drafts.save({ ...draft, content: "one" });
    await store.drafts.save({ ...draft, content: "two" });
    expect(starts).toBe(1);
    expect(await store.checkpointInBackground()!.ready).toBe(true);
    expect(store.database.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
  });

  it("starts no worker for a database in memory", async () => {
    const memory = SqliteConversationStore.open(":memory:");
    expect(memory.checkpointInBackground()).toBeNull();
    await memory.close();
  });
});
