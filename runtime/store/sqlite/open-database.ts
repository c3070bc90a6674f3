/**
 * Opens (and migrates) the SQLite file, creating its folder. Every failure names the file, in one
 * line: "cannot open database /x/gptme.db: unable to open database file".
 */
import { dirname } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import { AppError } from "../../errors.js";
import { makeDirectories } from "../../files/make-directories.js";
import { migrate } from "./migrations.js";

/** The database cannot be opened or migrated (a wrong path, no permission, not a database). */
export class DatabaseOpenError extends AppError {
  constructor(path: string, reason: string) {
    super(503, `cannot open database ${path}: ${reason}`);
  }
}

function makeDatabaseFolder(directory: string, databasePath: string): void {
  try {
    makeDirectories(directory);
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    throw new DatabaseOpenError(databasePath, `cannot create the folder ${failure.path ?? directory} (${failure.code ?? String(error)})`);
  }
}

export function openDatabase(path: string): Database {
  if (path !== ":memory:") makeDatabaseFolder(dirname(path), path);
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
