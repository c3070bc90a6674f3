/**
 * The stores the store tests run against: SQLite (a temp file) and PostgreSQL (a database of the
 * run's shared instance, emptied before each test by dropping its schema, so every test also runs
 * the migrations from scratch). A test file runs its cases once per backend:
 *
 *   for (const backend of await storeBackends()) describe(backend.name, () => { ... backend.open() ... });
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll } from "vitest";
import type { AuthSessionStore } from "../../runtime/store/auth-sessions.js";
import type { DraftStore } from "../../runtime/store/drafts.js";
import { openSqliteStorage } from "../../runtime/store/open-storage.js";
import { openPostgresStorage, type PostgresStorage } from "../../runtime/store/postgres/postgres-storage.js";
import type { SqliteConversationStore } from "../../runtime/store/sqlite/sqlite-store.js";
import type { ConversationStore } from "../../runtime/store/types.js";
import { postgresForTests, requirePostgres, skipPostgres } from "./postgres-for-tests.js";
import { createDatabase } from "./postgres-server.js";

export type BackendName = "sqlite" | "postgres";

export interface StoreUnderTest {
  backend: BackendName;
  store: ConversationStore & { drafts: DraftStore };
  authSessions: AuthSessionStore;
  /** The PostgreSQL storage (leases, session ids), or null on SQLite. */
  postgres: PostgresStorage | null;
  /** Raw SQL on the same database, `$1`-style placeholders on both backends. */
  sql<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<Row[]>;
  /** Another store on the same database through its own connection(s), as another process would have. */
  openAnother(): Promise<StoreUnderTest>;
  /** Closes this store and opens the same database again. */
  reopen(): Promise<StoreUnderTest>;
  close(): Promise<void>;
}

export interface StoreBackend {
  name: BackendName;
  /** A store on an empty database. */
  open(): Promise<StoreUnderTest>;
}

function sqliteStore(path: string): StoreUnderTest {
  const storage = openSqliteStorage(path);
  const store = storage.conversations as SqliteConversationStore;
  const self: StoreUnderTest = {
    backend: "sqlite",
    store,
    authSessions: storage.authSessions,
    postgres: null,
    async sql<Row>(text: string, values: unknown[] = []) {
      const statement = store.database.prepare(text.replace(/\$\d+/g, "?"));
      if (statement.reader) return statement.all(...values) as Row[];
      statement.run(...values);
      return [];
    },
    openAnother: async () => sqliteStore(path),
    async reopen() {
      await storage.close();
      return sqliteStore(path);
    },
    close: () => storage.close(),
  };
  return self;
}

const sqliteBackend = (): StoreBackend => {
  const directories: string[] = [];
  afterAll(() => {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });
  return {
    name: "sqlite",
    async open() {
      const directory = mkdtempSync(join(tmpdir(), "gptme-store-"));
      directories.push(directory);
      return sqliteStore(join(directory, "gptme.db"));
    },
  };
};

async function postgresStore(url: string): Promise<StoreUnderTest> {
  const storage = await openPostgresStorage(url, { maxConnections: 5 });
  return {
    backend: "postgres",
    store: storage.conversations,
    authSessions: storage.authSessions,
    postgres: storage,
    sql: <Row>(text: string, values: unknown[] = []) => storage.database.rows<Row>({ text, values }),
    openAnother: () => postgresStore(url),
    async reopen() {
      await storage.close();
      return postgresStore(url);
    },
    close: () => storage.close(),
  };
}

/** Drops and recreates the public schema: no tables, no extension, no migrations recorded. */
async function emptyDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
  } finally {
    await client.end();
  }
}

const postgresBackend = (adminUrl: () => string): StoreBackend => {
  let database: Promise<{ url: string; drop(): Promise<void> }> | undefined;
  afterAll(async () => {
    if (database) await (await database).drop();
  });
  return {
    name: "postgres",
    async open() {
      database ??= createDatabase(adminUrl());
      const { url } = await database;
      await emptyDatabase(url);
      return postgresStore(url);
    },
  };
};

/**
 * SQLite, and PostgreSQL unless it is unavailable on a developer's machine (then the reason is
 * printed). In CI an unavailable PostgreSQL keeps its backend, whose `open()` fails loudly.
 */
export async function storeBackends(): Promise<StoreBackend[]> {
  const availability = await postgresForTests();
  const backends = [sqliteBackend()];
  if (!skipPostgres(availability)) backends.push(postgresBackend(() => requirePostgres(availability)));
  return backends;
}

/** The PostgreSQL backend alone (for tests of what only PostgreSQL has: leases, session ids). */
export async function postgresBackendOnly(): Promise<StoreBackend[]> {
  return (await storeBackends()).filter((backend) => backend.name === "postgres");
}
