/**
 * The connection pool (node-postgres) and the two ways the store talks through it: one query, or a
 * transaction on one connection. Failures become runtime errors here, in one place: a database
 * that cannot be reached answers 503, text PostgreSQL cannot hold answers 400, never a raw driver
 * error.
 */
import pg from "pg";
import { AppError, BadRequestError } from "../../errors.js";
import { redactDatabaseUrl } from "../../config/storage-mode.js";

/** The database cannot be reached (down, restarting, out of connections). */
export class StoreUnavailableError extends AppError {
  constructor(readonly reason: string) {
    super(503, `The database is unavailable: ${reason}`);
  }
}

/** A query's text and parameters; a `name` prepares it once per connection. */
export interface Statement {
  name?: string;
  text: string;
  values?: unknown[];
}

/** One connection's worth of querying: the pool itself, or a transaction's connection. */
export interface Queryable {
  rows<Row>(statement: Statement): Promise<Row[]>;
  /** How many rows the statement changed. */
  run(statement: Statement): Promise<number>;
}

const connectionErrors = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOENT"]);

/** A driver error as the runtime error it means (unchanged when it means a bug). */
export function translateError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: string }).code ?? "";
  // Node reports a refused connection to several addresses (localhost: ::1 and 127.0.0.1) as an
  // AggregateError with an empty message.
  const inner = (error as { errors?: Array<{ message?: string }> }).errors?.[0]?.message;
  const message = (error instanceof Error ? error.message : String(error)) || inner || code || "unknown error";
  if (code === "22021" || code === "22P05") {
    return new BadRequestError("Text with a NUL character (\\u0000) cannot be stored in this field on PostgreSQL");
  }
  // 08: connection exceptions; 57P0x: the server is shutting down or starting; 53300: too many
  // connections; 3D000: the database is gone.
  if (code.startsWith("08") || ["57P01", "57P02", "57P03", "53300", "3D000"].includes(code) || connectionErrors.has(code)) {
    return new StoreUnavailableError(message);
  }
  if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)) {
    return new StoreUnavailableError(message);
  }
  return error;
}

/** bigint (int8) columns and counts as numbers: totals and counters stay far below 2^53. */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8 && format !== "binary") return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as "text");
  },
} as pg.CustomTypesConfig;

function queryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async rows<Row>(statement: Statement): Promise<Row[]> {
      try {
        return (await client.query(statement as pg.QueryConfig)).rows as Row[];
      } catch (error) {
        throw translateError(error);
      }
    },
    async run(statement: Statement): Promise<number> {
      try {
        return (await client.query(statement as pg.QueryConfig)).rowCount ?? 0;
      } catch (error) {
        throw translateError(error);
      }
    },
  };
}

export class PostgresDatabase implements Queryable {
  readonly pool: pg.Pool;
  /** The URL without its password. */
  readonly location: string;
  private readonly direct: Queryable;

  constructor(url: string, options: { maxConnections?: number } = {}) {
    this.location = redactDatabaseUrl(url);
    this.pool = new pg.Pool({
      connectionString: url,
      types,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      application_name: "gptme-server",
    });
    // An idle connection that breaks (a database restart) is dropped by the pool; without a
    // listener the error would end the process.
    this.pool.on("error", (error) => console.error(`PostgreSQL connection lost: ${error.message}`));
    this.direct = queryable(this.pool);
  }

  rows<Row>(statement: Statement): Promise<Row[]> {
    return this.direct.rows<Row>(statement);
  }

  run(statement: Statement): Promise<number> {
    return this.direct.run(statement);
  }

  /** Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translateError(error);
    }
    let broken = false;
    try {
      await client.query("BEGIN");
      const result = await work(queryable(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true;
      }
      throw translateError(error);
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
