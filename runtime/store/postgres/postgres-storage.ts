/**
 * Opens the PostgreSQL store: connects, applies the pending migrations (once, however many
 * replicas start together), and hands out the stores that share the pool. Every failure is one
 * line naming the database without its password: "cannot open database postgres://gptme:***@db/gptme: ...".
 */
import pg from "pg";
import { AppError } from "../../errors.js";
import type { Storage } from "../storage.js";
import { PostgresAuthSessionStore } from "./auth-session-store.js";
import { PostgresAutoConfirmStore } from "./auto-confirm-store.js";
import { PostgresForwardedBodyStore } from "./forwarded-body-store.js";
import { PostgresDatabase, StoreUnavailableError, translateError } from "./database.js";
import { PostgresLeaseStore } from "./lease-store.js";
import { migratePostgres } from "./migrations.js";
import { PostgresConversationStore } from "./postgres-store.js";
import { PostgresSessionIdStore } from "./session-id-store.js";
import { PostgresSettingsStore } from "./settings-store.js";
import { PostgresTaskStore } from "./task-store.js";

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
  readonly tasks: PostgresTaskStore;
  readonly settings: { store: PostgresSettingsStore; initial: Record<string, unknown> };
}

/** Any number other users of the database will not pick; the same in every server. */
const singleServerLockKey = 7_301_550_912_044_132;

/**
 * Holds, on a connection of its own for as long as the server runs, the lock that says a server
 * uses this database; null when another server holds it. PostgreSQL releases it when the
 * connection ends, so a crashed server leaves nothing behind.
 */
async function holdSingleServerLock(url: string): Promise<pg.Client | null> {
  const client = new pg.Client({ connectionString: url, application_name: "gptme-server (single-server lock)" });
  client.on("error", (error) => console.error(`PostgreSQL connection lost (single-server lock): ${error.message}`));
  await client.connect();
  const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [singleServerLockKey]);
  if (rows[0]?.locked) return client;
  await client.end();
  return null;
}

export interface PostgresOpenOptions {
  maxConnections?: number;
  /**
   * Refuse to open when another server holds the database (the single-process mode: a second
   * server would take the first one's replies in progress for ones a crash cut off).
   */
  singleServer?: boolean;
}

export async function openPostgresStorage(url: string, options: PostgresOpenOptions = {}): Promise<PostgresStorage> {
  const database = new PostgresDatabase(url, options);
  let lock: pg.Client | null = null;
  const settings = new PostgresSettingsStore(database);
  let initialSettings: Record<string, unknown>;
  try {
    await migratePostgres(database);
    initialSettings = await settings.readSettings();
    if (options.singleServer) {
      lock = await holdSingleServerLock(url);
      if (!lock) {
        throw new AppError(
          503,
          "another gptme-server is already using this database (without GPTME_NATS_URL, one server process serves a database)",
        );
      }
    }
  } catch (error) {
    await database.close().catch(() => undefined);
    const translated = translateError(error);
    const reason =
      translated instanceof StoreUnavailableError ? translated.reason : translated instanceof Error ? translated.message : String(translated);
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
    tasks: new PostgresTaskStore(database),
    settings: { store: settings, initial: initialSettings },
    shared: {
      leases,
      sessionIds,
      forwardedBodies: new PostgresForwardedBodyStore(database),
      autoConfirm: new PostgresAutoConfirmStore(database),
      fenced(fence) {
        const store = conversations.fenced(fence);
        return { conversations: store, drafts: store.drafts };
      },
    },
    async close() {
      await database.close();
      await lock?.end().catch(() => undefined);
    },
  };
}
