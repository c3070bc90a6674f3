/**
 * The PostgreSQL instance (and NATS server) a test run shares: started once, by the first test file
 * that asks, and stopped by the globalSetup when the run ends. `GPTME_TEST_DATABASE_URL` (and
 * `GPTME_TEST_NATS_URL`) name existing servers instead. When none can be had, `postgresForTests()` says why: a local run skips the PostgreSQL
 * cases and prints the reason; in CI (`CI` set) the cases fail, since a skipped one proves nothing.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { inject } from "vitest";
import { type NatsServer, startNats } from "./nats-server.js";
import { type PostgresServer, startPostgres } from "./postgres-server.js";
import "./postgres-global-setup.js";

export type PostgresAvailability = { adminUrl: string } | { unavailable: string };

const inCi = () => ["true", "1"].includes((process.env.CI ?? "").toLowerCase());

/**
 * Starts a service once per run, whichever test file asks first (the others wait for its result,
 * saved in `<name>.json` of the run's folder), or reads why it could not be started.
 */
async function startOnce<Server>(directory: string, name: string, start: () => Promise<Server>): Promise<{ server?: Server; unavailable?: string }> {
  const state = join(directory, `${name}.json`);
  const lock = join(directory, `${name}.lock`);
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (existsSync(state)) return JSON.parse(readFileSync(state, "utf8")) as { server?: Server; unavailable?: string };
    let descriptor: number | undefined;
    try {
      descriptor = openSync(lock, "wx");
    } catch {
      // Another test file is starting it: wait for its result.
      if (Date.now() > deadline) return { unavailable: `another test file took over 5 minutes to start ${name}` };
      await delay(100);
      continue;
    }
    closeSync(descriptor);
    let result: { server?: Server; unavailable?: string };
    try {
      result = { server: await start() };
    } catch (error) {
      result = { unavailable: error instanceof Error ? error.message : String(error) };
    }
    writeFileSync(`${state}.tmp`, JSON.stringify(result));
    renameSync(`${state}.tmp`, state);
    rmSync(lock, { force: true });
  }
}

let shared: Promise<PostgresAvailability> | undefined;

/** The run's instance (started on first use), or why there is none. */
export function postgresForTests(): Promise<PostgresAvailability> {
  shared ??= (async () => {
    const external = process.env.GPTME_TEST_DATABASE_URL?.trim();
    if (external) return { adminUrl: external };
    const directory = inject("postgresRunDirectory");
    if (!directory) return { unavailable: "the vitest globalSetup test/support/postgres-global-setup.ts did not run" };
    const started = await startOnce<PostgresServer>(directory, "postgres", startPostgres);
    return started.server ? { adminUrl: started.server.adminUrl } : { unavailable: started.unavailable ?? "unknown" };
  })();
  return shared;
}

export type NatsAvailability = { url: string } | { unavailable: string };

let sharedNats: Promise<NatsAvailability> | undefined;

/** The run's NATS server with JetStream (started on first use; `GPTME_TEST_NATS_URL` names another), or why there is none. */
export function natsForTests(): Promise<NatsAvailability> {
  sharedNats ??= (async () => {
    const external = process.env.GPTME_TEST_NATS_URL?.trim();
    if (external) return { url: external };
    const directory = inject("postgresRunDirectory");
    if (!directory) return { unavailable: "the vitest globalSetup test/support/postgres-global-setup.ts did not run" };
    const started = await startOnce<NatsServer>(directory, "nats", startNats);
    return started.server ? { url: started.server.url } : { unavailable: started.unavailable ?? "unknown" };
  })();
  return sharedNats;
}

/** Like `skipPostgres`, for a file that needs both services. */
export function skipServices(postgres: PostgresAvailability, nats: NatsAvailability): boolean {
  if ("adminUrl" in postgres && "url" in nats) return false;
  if (inCi()) return false;
  const reasons = ["unavailable" in postgres ? `PostgreSQL: ${postgres.unavailable}` : "", "unavailable" in nats ? `NATS: ${nats.unavailable}` : ""];
  console.warn(`Replication cases skipped: ${reasons.filter(Boolean).join("; ")}`);
  return true;
}

/** The NATS URL, or a loud failure naming why there is none. */
export function requireNats(availability: NatsAvailability): string {
  if ("url" in availability) return availability.url;
  throw new Error(`NATS is required here (CI) but unavailable: ${availability.unavailable}`);
}

/**
 * Whether this file's PostgreSQL cases run. Locally an unavailable server skips them (and says
 * why once); in CI it does not: the cases run and fail on `requirePostgres`.
 */
export function skipPostgres(availability: PostgresAvailability): boolean {
  if ("adminUrl" in availability) return false;
  if (inCi()) return false;
  console.warn(`PostgreSQL cases skipped: ${availability.unavailable}`);
  return true;
}

/** The admin URL, or a loud failure naming why there is no PostgreSQL. */
export function requirePostgres(availability: PostgresAvailability): string {
  if ("adminUrl" in availability) return availability.adminUrl;
  throw new Error(`PostgreSQL is required here (CI) but unavailable: ${availability.unavailable}`);
}
