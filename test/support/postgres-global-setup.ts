/**
 * vitest globalSetup: a folder where the run's PostgreSQL instance is recorded. The instance is
 * started by the first test file that asks for it (see postgres-for-tests.ts), so a run without
 * PostgreSQL tests starts none; it is stopped here when the run ends.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
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
    const state = join(directory, "server.json");
    if (existsSync(state)) {
      const started = JSON.parse(readFileSync(state, "utf8")) as { server?: PostgresServer };
      if (started.server) await stopPostgres(started.server);
    }
    rmSync(directory, { recursive: true, force: true });
  };
}
