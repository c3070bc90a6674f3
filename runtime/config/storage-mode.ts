/**
 * Which store the server runs on, from the environment: no URL → the SQLite file (one process);
 * `GPTME_DATABASE_URL` → PostgreSQL (one process); with `GPTME_NATS_URL` too → several replicas
 * (not built yet, so refused rather than half-working). Every refusal is one readable line.
 */
import { AppError } from "../errors.js";

export type StorageMode = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/** A configuration the server cannot start with (exit status 1, the message on one line). */
export class StorageConfigurationError extends AppError {
  constructor(message: string) {
    super(500, message);
  }
}

const postgresSchemes = ["postgres:", "postgresql:"];

/** The URL with its password replaced by `***` (for banners and error messages). */
export function redactDatabaseUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(an unparseable URL)";
  }
}

function checkedPostgresUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new StorageConfigurationError("GPTME_DATABASE_URL is not a URL (expected postgres://USER:PASSWORD@HOST:PORT/DATABASE)");
  }
  if (!postgresSchemes.includes(url.protocol)) {
    throw new StorageConfigurationError(
      `GPTME_DATABASE_URL must be a postgres:// or postgresql:// URL, not ${url.protocol}// (leave it unset for the SQLite file)`,
    );
  }
  return text;
}

/**
 * `sqlitePath` is where the SQLite file would be (`--db`, `GPTME_DB` or the default);
 * `dbFlag` is whether `--db` itself was given (which makes no sense beside a PostgreSQL URL).
 */
export function storageMode(env: NodeJS.ProcessEnv, sqlitePath: string, dbFlag = false): StorageMode {
  const databaseUrl = env.GPTME_DATABASE_URL?.trim() ?? "";
  const natsUrl = env.GPTME_NATS_URL?.trim() ?? "";
  if (natsUrl && !databaseUrl) {
    throw new StorageConfigurationError(
      "GPTME_NATS_URL is set without GPTME_DATABASE_URL: replicas share their conversations through PostgreSQL, so set both (or neither for one process on SQLite)",
    );
  }
  if (natsUrl) {
    throw new StorageConfigurationError(
      "replicated mode is not implemented yet (GPTME_DATABASE_URL and GPTME_NATS_URL are both set): unset GPTME_NATS_URL to run one process on PostgreSQL",
    );
  }
  if (!databaseUrl) return { kind: "sqlite", path: sqlitePath };
  if (dbFlag) {
    throw new StorageConfigurationError("--db names a SQLite file, but GPTME_DATABASE_URL selects PostgreSQL: use one or the other");
  }
  return { kind: "postgres", url: checkedPostgresUrl(databaseUrl) };
}
