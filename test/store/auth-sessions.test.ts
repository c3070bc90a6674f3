import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteAuthSessionStore } from "../../runtime/store/sqlite/auth-session-store.js";
import { SqliteConversationStore } from "../../runtime/store/sqlite/sqlite-store.js";

let directory: string;
let store: SqliteConversationStore;
let sessions: SqliteAuthSessionStore;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "gptme-sessions-"));
  store = SqliteConversationStore.open(join(directory, "gptme.db"));
  sessions = new SqliteAuthSessionStore(store.database);
});
afterEach(async () => {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
});

describe("SqliteAuthSessionStore", () => {
  it("verifies a session only under the token it was made with, until it is revoked", async () => {
    const id = await sessions.create("token-a", 3600);
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(await sessions.verify(id, "token-a")).toBe(true);
    expect(await sessions.verify(id, "token-b")).toBe(false);
    expect(await sessions.verify(`${id}x`, "token-a")).toBe(false);
    expect(await sessions.verify("", "token-a")).toBe(false);
    await sessions.revoke(id);
    expect(await sessions.verify(id, "token-a")).toBe(false);
    await sessions.revoke("never-existed");
  });

  it("expires sessions and drops expired rows when a new one starts", async () => {
    const expired = await sessions.create("token", 0);
    expect(await sessions.verify(expired, "token")).toBe(false);
    const live = await sessions.create("token", 3600);
    expect(await sessions.verify(live, "token")).toBe(true);
    expect(store.database.prepare("SELECT count(*) AS count FROM auth_sessions").get()).toEqual({ count: 1 });
  });

  it("keeps sessions in the database file across a reopen", async () => {
    const id = await sessions.create("token", 3600);
    await store.close();
    store = SqliteConversationStore.open(join(directory, "gptme.db"));
    sessions = new SqliteAuthSessionStore(store.database);
    expect(await sessions.verify(id, "token")).toBe(true);
  });
});
