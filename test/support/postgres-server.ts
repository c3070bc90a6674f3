/**
 * A private PostgreSQL instance for tests and the bench: `initdb` in a temp dir, listening on a
 * free port of 127.0.0.1 (and a Unix socket in that dir), trust auth, no fsync. PostgreSQL refuses to
 * run as root, so as root it runs as the `postgres` user through `runuser`.
 * `GPTME_TEST_DATABASE_URL` points at an existing server instead (its user must create databases).
 */
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "./nats-server.js";

const run = promisify(execFile);

/** A started instance, as plain data (another process may stop it). */
export interface PostgresServer {
  /** A superuser URL of the instance's `postgres` database. */
  adminUrl: string;
  /** The temp dir holding its data, socket and log. */
  directory: string;
  bin: string;
  /** Started through `runuser -u postgres`. */
  asRoot: boolean;
}

function binDirectory(): string | null {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => existsSync(join(root, name, "bin", "pg_ctl")))
      .sort((left, right) => Number(right) - Number(left));
    if (versions[0]) return join(root, versions[0], "bin");
  }
  for (const directory of (process.env.PATH ?? "").split(":")) {
    if (directory && existsSync(join(directory, "pg_ctl")) && existsSync(join(directory, "initdb"))) return directory;
  }
  return null;
}

/** The uid and gid of `name` from /etc/passwd, or null. */
function userIds(name: string): { uid: number; gid: number } | null {
  if (!existsSync("/etc/passwd")) return null;
  for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
    const [user, , uid, gid] = line.split(":");
    if (user === name && uid && gid) return { uid: Number(uid), gid: Number(gid) };
  }
  return null;
}

function failure(error: unknown): string {
  const withOutput = error as { stderr?: string; stdout?: string; message?: string };
  return (withOutput.stderr?.trim() || withOutput.stdout?.trim() || withOutput.message || String(error)).split("\n").slice(-3).join(" ");
}

/** Starts a throwaway instance; throws with a readable reason when it cannot. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDirectory();
  if (!bin) throw new Error("PostgreSQL is not installed (no pg_ctl under /usr/lib/postgresql/*/bin or on PATH; apt-get install postgresql)");
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? userIds("postgres") : null;
  if (asRoot && !owner) throw new Error("running as root and there is no postgres user to run PostgreSQL as");
  const directory = mkdtempSync(join(tmpdir(), "gptme-pg-"));
  if (owner) chownSync(directory, owner.uid, owner.gid);
  const command = (program: string, args: string[]) => runAs(asRoot, bin, program, args);
  const data = join(directory, "data");
  let port = 0;
  try {
    const initdb = ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8"];
    await command("initdb", [...initdb, "--locale=C.UTF-8"]).catch(() => command("initdb", [...initdb, "--no-locale"]));
    port = await freePort();
    const settings = [
      "-c listen_addresses=127.0.0.1",
      `-c port=${port}`,
      `-k ${directory}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c shared_buffers=16MB",
      "-c max_connections=200",
    ].join(" ");
    await command("pg_ctl", ["-D", data, "-l", join(directory, "server.log"), "-o", settings, "-w", "-t", "120", "start"]);
  } catch (error) {
    const log = join(directory, "server.log");
    const detail = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").slice(-2).join(" ") : "";
    rmSync(directory, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${failure(error)}${detail ? ` (${detail})` : ""}`);
  }
  return { adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`, directory, bin, asRoot };
}

function runAs(asRoot: boolean, bin: string, program: string, args: string[]) {
  return asRoot ? run("runuser", ["-u", "postgres", "--", join(bin, program), ...args]) : run(join(bin, program), args);
}

/** Stops the instance at once and removes its files. */
export async function stopPostgres(server: PostgresServer): Promise<void> {
  await runAs(server.asRoot, server.bin, "pg_ctl", ["-D", join(server.directory, "data"), "-m", "immediate", "-w", "stop"]).catch(() => undefined);
  rmSync(server.directory, { recursive: true, force: true });
}

/** The same server's URL for another database. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

let counter = 0;

/** A new empty database on the server behind `adminUrl`; returns its URL and a way to drop it. */
export async function createDatabase(adminUrl: string, prefix = "gptme_test"): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${(counter += 1)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(adminUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
