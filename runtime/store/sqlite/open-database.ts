/**
 * Opens (and migrates) the SQLite file, creating its folder. Every failure names the file, in one
 * line: "cannot open database /x/gptme.db: unable to open database file".
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import { AppError } from "../../errors.js";
import { migrate } from "./migrations.js";

/** The database cannot be opened or migrated (a wrong path, no permission, not a database). */
export class DatabaseOpenError extends AppError {
  constructor(path: string, reason: string) {
    super(503, `cannot open database ${path}: ${reason}`);
  }
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir loops for ever where the kernel answers
 * ENOENT for a folder whose parent exists (inside /proc, for one).
 */
function makeDirectories(directory: string, databasePath: string): void {
  const missing: string[] = [];
  for (let current = resolve(directory); !existsSync(current); current = dirname(current)) {
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") continue;
      throw new DatabaseOpenError(databasePath, `cannot create the folder ${path} (${code ?? String(error)})`);
    }
  }
}

export function openDatabase(path: string): Database {
  if (path !== ":memory:") makeDirectories(dirname(path), path);
  let database: Database | undefined;
  try {
    database = new BetterSqlite3(path);
    database.pragma("journal_mode = WAL");
    database.pragma("busy_timeout = 5000");
    database.pragma("foreign_keys = ON");
    database.pragma("synchronous = NORMAL");
    migrate(database);
    return database;
  } catch (error) {
    if (database?.open) database.close();
    throw new DatabaseOpenError(path, error instanceof Error ? error.message : String(error));
  }
}
