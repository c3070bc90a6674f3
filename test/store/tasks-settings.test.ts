/**
 * Tasks and user settings on both stores: the SQLite file, and PostgreSQL, where every replica
 * reads the same rows (through another connection here, as another process would).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SettingsStore } from "../../runtime/store/settings-store.js";
import { SqliteSettingsStore } from "../../runtime/store/sqlite/settings-rows.js";
import type { SqliteConversationStore } from "../../runtime/store/sqlite/sqlite-store.js";
import { SqliteTaskStore } from "../../runtime/store/sqlite/task-rows.js";
import type { Task, TaskStore } from "../../runtime/store/task-store.js";
import { type StoreUnderTest, storeBackends } from "../support/store-backends.js";

function storesOf(opened: StoreUnderTest): { tasks: TaskStore; settings: SettingsStore } {
  if (opened.postgres) return { tasks: opened.postgres.tasks, settings: opened.postgres.settings.store };
  const database = (opened.store as unknown as SqliteConversationStore).database;
  return { tasks: new SqliteTaskStore(database), settings: new SqliteSettingsStore(database) };
}

const task = (id: string, createdAt: string, overrides: Partial<Task> = {}): Task => ({
  id,
  content: `content of ${id}`,
  created_at: createdAt,
  status: "pending",
  target_type: "stdout",
  target_repo: null,
  conversation_ids: [`${id}-0`],
  metadata: { nested: { list: [1, "two"] } },
  archived: false,
  ...overrides,
});

for (const backend of await storeBackends()) {
  describe(`tasks and user settings on ${backend.name}`, () => {
    let opened: StoreUnderTest;
    let other: StoreUnderTest;
    beforeEach(async () => {
      opened = await backend.open();
      other = await opened.openAnother();
    });
    afterEach(async () => {
      await other.close();
      await opened.close();
    });

    it("stores tasks field for field, newest first, filtered by status and archive, with conflicts and missing ids refused", async () => {
      const { tasks } = storesOf(opened);
      await tasks.createTask(task("task-b", "2025-01-02T00:00:00Z"));
      await tasks.createTask(task("task-a", "2025-01-02T00:00:00Z", { status: "active" }));
      await tasks.createTask(task("task-c", "2025-01-03T00:00:00Z", { archived: true, target_type: "pr", target_repo: "octo/demo" }));
      await expect(tasks.createTask(task("task-a", "2025-01-04T00:00:00Z"))).rejects.toThrow(/Task already exists: task-a/);
      await expect(tasks.updateTask(task("task-z", "2025-01-04T00:00:00Z"))).rejects.toThrow(/Task not found: task-z/);

      const elsewhere = storesOf(other).tasks;
      expect((await elsewhere.listTasks({ includeArchived: true })).map((listed) => listed.id)).toEqual(["task-c", "task-b", "task-a"]);
      expect((await elsewhere.listTasks({ includeArchived: false })).map((listed) => listed.id)).toEqual(["task-b", "task-a"]);
      expect((await elsewhere.listTasks({ includeArchived: true, status: "active" })).map((listed) => listed.id)).toEqual(["task-a"]);
      expect(await elsewhere.getTask("task-c")).toEqual(task("task-c", "2025-01-03T00:00:00Z", { archived: true, target_type: "pr", target_repo: "octo/demo" }));
      expect(await elsewhere.getTask("missing")).toBeNull();

      await elsewhere.updateTask(task("task-b", "2025-01-02T00:00:00Z", { status: "completed", conversation_ids: ["task-b-0", "task-b-1"] }));
      expect(await tasks.getTask("task-b")).toMatchObject({ status: "completed", conversation_ids: ["task-b-0", "task-b-1"] });
    });

    it("writes, overwrites and removes settings as JSON values every connection reads", async () => {
      const { settings } = storesOf(opened);
      await settings.writeSetting("provider_keys", { OPENAI_API_KEY: "sk-one" });
      await settings.writeSetting("default_model", "openai/gpt-4o");
      await settings.writeSetting("favorites", ["a/b"]);
      await settings.writeSetting("favorites", ["c/d", "e/f"]);
      await settings.writeSetting("default_model", undefined);
      expect(await storesOf(other).settings.readSettings()).toEqual({ provider_keys: { OPENAI_API_KEY: "sk-one" }, favorites: ["c/d", "e/f"] });
    });
  });
}
