/**
 * Which store the server runs on, from the environment: no URL → the SQLite file (one process);
 * `GPTME_DATABASE_URL` → PostgreSQL (one process); with `GPTME_NATS_URL` too → several replicas
 * sharing the database and live events through NATS JetStream. Every refusal is one readable line.
 */
import { AppError } from "../errors.js";

export type StorageMode =
  | { kind: "sqlite"; path: string }
  | { kind: "postgres"; url: string }
  | { kind: "replicated"; url: string; natsUrl: string };

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

function checkedNatsUrl(text: string): string {
  for (const part of text.split(",")) {
    let url: URL;
    try {
      url = new URL(part.trim());
    } catch {
      throw new StorageConfigurationError("GPTME_NATS_URL is not a URL (expected nats://HOST:4222, or several separated by commas)");
    }
    if (!["nats:", "tls:"].includes(url.protocol)) {
      throw new StorageConfigurationError(`GPTME_NATS_URL must be a nats:// or tls:// URL, not ${url.protocol}//`);
    }
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
  if (!databaseUrl) return { kind: "sqlite", path: sqlitePath };
  if (dbFlag) {
    throw new StorageConfigurationError("--db names a SQLite file, but GPTME_DATABASE_URL selects PostgreSQL: use one or the other");
  }
  if (natsUrl) return { kind: "replicated", url: checkedPostgresUrl(databaseUrl), natsUrl: checkedNatsUrl(natsUrl) };
  return { kind: "postgres", url: checkedPostgresUrl(databaseUrl) };
}
