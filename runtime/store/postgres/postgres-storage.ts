/**
 * Opens the PostgreSQL store: connects, applies the pending migrations (once, however many
 * replicas start together), and hands out the stores that share the pool. Every failure is one
 * line naming the database without its password: "cannot open database postgres://gptme:***@db/gptme: ...".
 */
import { AppError } from "../../errors.js";
import type { Storage } from "../storage.js";
import { PostgresAuthSessionStore } from "./auth-session-store.js";
import { PostgresDatabase, StoreUnavailableError } from "./database.js";
import { PostgresLeaseStore } from "./lease-store.js";
import { migratePostgres } from "./migrations.js";
import { PostgresConversationStore } from "./postgres-store.js";
import { PostgresSessionIdStore } from "./session-id-store.js";

/** The database cannot be reached, or its schema cannot be brought up to date. */
export class PostgresOpenError extends AppError {
  constructor(location: string, reason: string) {
    super(503, `cannot open database ${location}: ${reason}`);
  }
}

export interface PostgresStorage extends Storage {
  readonly kind: "postgres";
  readonly conversations: PostgresConversationStore;
  readonly drafts: PostgresConversationStore["drafts"];
  /** Leases with fencing tokens (for replicas: who runs a conversation's generation). */
  readonly leases: PostgresLeaseStore;
  /** Live session ids every replica can check. */
  readonly sessionIds: PostgresSessionIdStore;
  readonly database: PostgresDatabase;
}

export async function openPostgresStorage(url: string, options: { maxConnections?: number } = {}): Promise<PostgresStorage> {
  const database = new PostgresDatabase(url, options);
  try {
    await migratePostgres(database);
  } catch (error) {
    await database.close().catch(() => undefined);
    const reason = error instanceof StoreUnavailableError ? error.reason : error instanceof Error ? error.message : String(error);
    throw new PostgresOpenError(database.location, reason.replace(/\s+/g, " ").trim());
  }
  const conversations = new PostgresConversationStore(database);
  const leases = new PostgresLeaseStore(database);
  const sessionIds = new PostgresSessionIdStore(database);
  return {
    kind: "postgres",
    location: database.location,
    database,
    conversations,
    drafts: conversations.drafts,
    authSessions: new PostgresAuthSessionStore(database),
    leases,
    sessionIds,
    shared: {
      leases,
      sessionIds,
      fenced(fence) {
        const store = conversations.fenced(fence);
        return { conversations: store, drafts: store.drafts };
      },
    },
    close: () => database.close(),
  };
}
