/** The store's figures for the metrics on PostgreSQL: counts and the database's size, from the database itself. */
import type { PostgresDatabase } from "../store/postgres/database.js";
import type { StoreStatistics } from "./metrics.js";

export function postgresStatistics(database: PostgresDatabase): () => Promise<StoreStatistics> {
  return async () => {
    const [row] = await database.rows<{ conversations: string; messages: string; bytes: string }>({
      text: "SELECT (SELECT count(*) FROM conversations) AS conversations, (SELECT count(*) FROM messages) AS messages, pg_database_size(current_database()) AS bytes",
    });
    return { conversations: Number(row?.conversations ?? 0), messages: Number(row?.messages ?? 0), bytes: Number(row?.bytes ?? 0) };
  };
}
