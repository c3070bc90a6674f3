/** The store's figures for the metrics: counts from SQLite, size from the files on disk. */
import { statSync } from "node:fs";
import type { Database } from "better-sqlite3";
import type { StoreStatistics } from "./metrics.js";

export function sqliteStatistics(database: Database, path: string): () => Promise<StoreStatistics> {
  const conversations = database.prepare("SELECT COUNT(*) FROM conversations").pluck();
  const messages = database.prepare("SELECT COUNT(*) FROM messages").pluck();
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return async () => ({
    conversations: conversations.get() as number,
    messages: messages.get() as number,
    bytes: path === ":memory:" ? 0 : size(path) + size(`${path}-wal`),
  });
}
