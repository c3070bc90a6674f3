/**
 * Opens the store the configuration names (see config/storage-mode.ts): the SQLite file, or a
 * PostgreSQL database (its driver is loaded only then) that this server is then the only one to
 * use, or that several replicas share.
 */
import type { StorageMode } from "../config/storage-mode.js";
import type { Storage } from "./storage.js";
import { SqliteAuthSessionStore } from "./sqlite/auth-session-store.js";
import { SqliteConversationStore } from "./sqlite/sqlite-store.js";

/** The SQLite file at `path` (created, with its folder, when missing), migrated. */
export function openSqliteStorage(path: string): Storage {
  const store = SqliteConversationStore.open(path);
  return {
    kind: "sqlite",
    location: path,
    conversations: store,
    drafts: store.drafts,
    authSessions: new SqliteAuthSessionStore(store.database),
    close: () => store.close(),
  };
}

export async function openStorage(mode: StorageMode): Promise<Storage> {
  if (mode.kind === "sqlite") return openSqliteStorage(mode.path);
  const { openPostgresStorage } = await import("./postgres/postgres-storage.js");
  // Replicas share the database: each takes a conversation's lease for its generation instead.
  return openPostgresStorage(mode.url, { singleServer: mode.kind === "postgres" });
}
