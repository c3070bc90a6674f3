/** Numbered schema migrations, applied in order at open and recorded in `PRAGMA user_version`. */
import type { Database } from "better-sqlite3";
import { backfillOpeningWords, messageSearchSql } from "./message-search-schema.js";

export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** A backfill that SQL alone cannot express, run in the same transaction after `sql`. */
  after?: (database: Database) => void;
}

export const migrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    description: "conversations and messages",
    sql: `
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created REAL NOT NULL,
        modified REAL NOT NULL,
        config TEXT NOT NULL,
        workspace TEXT NOT NULL,
        message_count INTEGER NOT NULL DEFAULT 0,
        branch_count INTEGER NOT NULL DEFAULT 1,
        last_message_role TEXT,
        last_message_preview TEXT NOT NULL DEFAULT '',
        total_cost REAL NOT NULL DEFAULT 0,
        total_input_tokens INTEGER NOT NULL DEFAULT 0,
        total_output_tokens INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX conversations_by_modified ON conversations (modified DESC, id DESC);
      CREATE TABLE messages (
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        branch TEXT NOT NULL,
        position INTEGER NOT NULL,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        files TEXT,
        pinned INTEGER NOT NULL DEFAULT 0,
        hide INTEGER NOT NULL DEFAULT 0,
        call_id TEXT,
        metadata TEXT,
        PRIMARY KEY (conversation_id, branch, position)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: "auth sessions behind the gptme_auth cookie (hashed ids, bound to the token)",
    sql: `
      CREATE TABLE auth_sessions (
        id_hash TEXT PRIMARY KEY,
        token_binding TEXT NOT NULL,
        created REAL NOT NULL,
        expires REAL NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX auth_sessions_by_expiry ON auth_sessions (expires);
    `,
  },
  {
    version: 3,
    description: "drafts: the reply being generated, per conversation",
    sql: `
      CREATE TABLE drafts (
        conversation_id TEXT PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
        branch TEXT NOT NULL,
        position INTEGER NOT NULL,
        content TEXT NOT NULL,
        model TEXT NOT NULL,
        updated TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    description: "opening words of the first user message; trigram full-text index of message text",
    sql: messageSearchSql,
    after: backfillOpeningWords,
  },
  {
    version: 5,
    description: "a per-conversation write counter (ETags of GET conversation)",
    sql: `ALTER TABLE conversations ADD COLUMN version INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 6,
    description: "tasks and user settings",
    sql: `
      CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        content TEXT NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL,
        target_type TEXT NOT NULL,
        target_repo TEXT,
        conversation_ids TEXT NOT NULL DEFAULT '[]',
        metadata TEXT NOT NULL DEFAULT '{}',
        archived INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX tasks_by_created ON tasks (created_at DESC, id DESC);
      CREATE TABLE user_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
];

export function migrate(database: Database): void {
  const current = database.pragma("user_version", { simple: true }) as number;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    database.transaction(() => {
      database.exec(migration.sql);
      migration.after?.(database);
      database.pragma(`user_version = ${migration.version}`);
    })();
  }
}
