/**
 * PostgreSQL's own numbered migrations, recorded in `schema_migrations` and applied at open, all
 * pending ones in one transaction under an advisory lock: replicas starting together apply each
 * migration once (the others wait for the lock, then find nothing left to do).
 *
 * Text keys use the "C" collation so the list's order and cursors compare bytes, as SQLite does.
 * Search uses pg_trgm: a GIN trigram index of message text answers case-insensitive substring
 * matches (`ILIKE`). The conversation row's short columns are scanned, as on SQLite: an index on
 * them would be rewritten by every append (the preview changes) and was slower than the scan.
 */
import type { PostgresDatabase } from "./database.js";
import { StoreUnavailableError } from "./database.js";

export interface PostgresMigration {
  version: number;
  description: string;
  sql: string;
}

/** Any number the rest of the schema's users will not pick; the same on every replica. */
const migrationLockKey = 7_301_550_912_044_131;

/** Shards of the change counter behind `changeToken()`; writes to different conversations rarely share one. */
export const changeCounterSlots = 16;

export const postgresMigrations: ReadonlyArray<PostgresMigration> = [
  {
    version: 1,
    description: "conversations, messages, trigram search indexes, change counters",
    sql: `
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE TABLE conversations (
        id text COLLATE "C" PRIMARY KEY,
        name text NOT NULL,
        created double precision NOT NULL,
        modified double precision NOT NULL,
        config text NOT NULL,
        workspace text NOT NULL,
        message_count integer NOT NULL DEFAULT 0,
        branch_count integer NOT NULL DEFAULT 1,
        last_message_role text,
        last_message_preview text NOT NULL DEFAULT '',
        total_cost double precision NOT NULL DEFAULT 0,
        total_input_tokens bigint NOT NULL DEFAULT 0,
        total_output_tokens bigint NOT NULL DEFAULT 0,
        first_user_message_preview text NOT NULL DEFAULT ''
      );
      CREATE INDEX conversations_by_modified ON conversations (modified DESC, id DESC);
      CREATE TABLE messages (
        conversation_id text COLLATE "C" NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        branch text COLLATE "C" NOT NULL,
        position integer NOT NULL,
        role text NOT NULL,
        content text NOT NULL,
        -- 1: content holds the JSON string of a text with NUL characters, which PostgreSQL text cannot hold.
        content_encoding smallint NOT NULL DEFAULT 0,
        timestamp text NOT NULL,
        files text,
        pinned boolean NOT NULL DEFAULT false,
        hide boolean NOT NULL DEFAULT false,
        call_id text,
        metadata text,
        PRIMARY KEY (conversation_id, branch, position)
      );
      -- Hidden messages (the system prompt every conversation shares) are not searched.
      CREATE INDEX messages_text_search ON messages USING gin (content gin_trgm_ops) WHERE NOT hide;
      CREATE TABLE change_counters (
        slot smallint PRIMARY KEY,
        value bigint NOT NULL DEFAULT 0
      );
      INSERT INTO change_counters (slot) SELECT generate_series(0, ${changeCounterSlots - 1});
    `,
  },
  {
    version: 2,
    description: "auth sessions behind the gptme_auth cookie; drafts of the replies being generated",
    sql: `
      CREATE TABLE auth_sessions (
        id_hash text PRIMARY KEY,
        token_binding text NOT NULL,
        created double precision NOT NULL,
        expires double precision NOT NULL
      );
      CREATE INDEX auth_sessions_by_expiry ON auth_sessions (expires);
      CREATE TABLE drafts (
        conversation_id text COLLATE "C" PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
        branch text COLLATE "C" NOT NULL,
        position integer NOT NULL,
        content text NOT NULL,
        content_encoding smallint NOT NULL DEFAULT 0,
        model text NOT NULL,
        updated text NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: "leases with fencing tokens; live session ids shared by replicas",
    sql: `
      CREATE SEQUENCE lease_tokens;
      CREATE TABLE leases (
        name text COLLATE "C" PRIMARY KEY,
        holder text NOT NULL,
        token bigint NOT NULL,
        expires timestamptz NOT NULL
      );
      CREATE INDEX leases_by_expiry ON leases (expires);
      CREATE TABLE live_sessions (
        id text COLLATE "C" PRIMARY KEY,
        conversation_id text COLLATE "C" NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        auto_confirm double precision NOT NULL,
        created double precision NOT NULL,
        last_used double precision NOT NULL
      );
      CREATE INDEX live_sessions_by_conversation ON live_sessions (conversation_id, created);
      CREATE INDEX live_sessions_by_last_use ON live_sessions (last_used);
    `,
  },
  {
    version: 4,
    description: "a per-conversation write counter (ETags of GET conversation)",
    sql: "ALTER TABLE conversations ADD COLUMN version bigint NOT NULL DEFAULT 0;",
  },
  {
    version: 5,
    description: "tasks and user settings shared by replicas; auto-confirm budgets; request bodies too large for NATS",
    sql: `
      CREATE TABLE tasks (
        id text COLLATE "C" PRIMARY KEY,
        content text NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        status text NOT NULL,
        target_type text NOT NULL,
        target_repo text,
        conversation_ids text NOT NULL DEFAULT '[]',
        metadata text NOT NULL DEFAULT '{}',
        archived boolean NOT NULL DEFAULT false
      );
      CREATE INDEX tasks_by_created ON tasks (created_at DESC, id DESC);
      CREATE TABLE user_settings (
        key text COLLATE "C" PRIMARY KEY,
        value text NOT NULL
      );
      -- How many more tools run without asking (Infinity: all), whichever replica runs the next step.
      CREATE TABLE auto_confirm_budgets (
        conversation_id text COLLATE "C" PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
        remaining double precision NOT NULL,
        updated double precision NOT NULL
      );
      -- A forwarded request's (or its answer's) body while the other replica reads it.
      CREATE TABLE forwarded_bodies (
        id text COLLATE "C" PRIMARY KEY,
        body bytea NOT NULL,
        created double precision NOT NULL
      );
      CREATE INDEX forwarded_bodies_by_age ON forwarded_bodies (created);
    `,
  },
];

/** Thrown when the database was migrated by a newer server than this one. */
export class SchemaTooNewError extends StoreUnavailableError {}

/** Applies the pending migrations; returns the versions it applied (none when up to date). */
export async function migratePostgres(
  database: PostgresDatabase,
  migrations: ReadonlyArray<PostgresMigration> = postgresMigrations,
): Promise<number[]> {
  return database.transaction(async (client) => {
    await client.run({ text: "SELECT pg_advisory_xact_lock($1)", values: [migrationLockKey] });
    await client.run({
      text: `CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        description text NOT NULL,
        applied timestamptz NOT NULL DEFAULT now()
      )`,
    });
    const applied = new Set(
      (await client.rows<{ version: number }>({ text: "SELECT version FROM schema_migrations" })).map((row) => row.version),
    );
    const known = Math.max(0, ...migrations.map((migration) => migration.version));
    const newest = Math.max(0, ...applied);
    if (newest > known) {
      throw new SchemaTooNewError(
        `its schema is at version ${newest}, newer than this gptme-server knows (${known}): run the newer gptme-server`,
      );
    }
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.run({ text: migration.sql });
      await client.run({
        text: "INSERT INTO schema_migrations (version, description) VALUES ($1, $2)",
        values: [migration.version, migration.description],
      });
      done.push(migration.version);
    }
    return done;
  });
}
