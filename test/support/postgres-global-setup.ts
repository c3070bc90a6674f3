/**
 * vitest globalSetup: a folder where the run's PostgreSQL instance (and NATS server) is recorded. Each is
 * started by the first test file that asks for it (see postgres-for-tests.ts), so a run without
 * PostgreSQL tests starts none; it is stopped here when the run ends.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { type NatsServer, stopNats } from "./nats-server.js";
import { type PostgresServer, stopPostgres } from "./postgres-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    postgresRunDirectory: string;
  }
}

export default function setup(project: TestProject) {
  const directory = mkdtempSync(join(tmpdir(), "gptme-pg-run-"));
  project.provide("postgresRunDirectory", directory);
  return async () => {
    const postgres = join(directory, "postgres.json");
    if (existsSync(postgres)) {
      const started = JSON.parse(readFileSync(postgres, "utf8")) as { server?: PostgresServer };
      if (started.server) await stopPostgres(started.server);
    }
    const nats = join(directory, "nats.json");
    if (existsSync(nats)) {
      const started = JSON.parse(readFileSync(nats, "utf8")) as { server?: NatsServer };
      if (started.server) await stopNats(started.server);
    }
    rmSync(directory, { recursive: true, force: true });
  };
}
