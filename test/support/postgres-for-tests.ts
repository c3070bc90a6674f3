/**
 * The PostgreSQL instance a test run shares: started once, by the first test file that asks, and
 * stopped by the globalSetup when the run ends. `GPTME_TEST_DATABASE_URL` names an existing server
 * instead. When none can be had, `postgresForTests()` says why: a local run skips the PostgreSQL
 * cases and prints the reason; in CI (`CI` set) the cases fail, since a skipped one proves nothing.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { inject } from "vitest";
import { type PostgresServer, startPostgres } from "./postgres-server.js";
import "./postgres-global-setup.js";

export type PostgresAvailability = { adminUrl: string } | { unavailable: string };

const inCi = () => ["true", "1"].includes((process.env.CI ?? "").toLowerCase());

async function startOnce(directory: string): Promise<PostgresAvailability> {
  const state = join(directory, "server.json");
  const lock = join(directory, "starting.lock");
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (existsSync(state)) {
      const saved = JSON.parse(readFileSync(state, "utf8")) as { server?: PostgresServer; unavailable?: string };
      return saved.server ? { adminUrl: saved.server.adminUrl } : { unavailable: saved.unavailable ?? "unknown" };
    }
    let descriptor: number | undefined;
    try {
      descriptor = openSync(lock, "wx");
    } catch {
      // Another test file is starting it: wait for its result.
      if (Date.now() > deadline) return { unavailable: "another test file took over 5 minutes to start PostgreSQL" };
      await delay(100);
      continue;
    }
    closeSync(descriptor);
    let result: { server?: PostgresServer; unavailable?: string };
    try {
      result = { server: await startPostgres() };
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
    return startOnce(directory);
  })();
  return shared;
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
