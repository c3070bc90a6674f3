import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "handlers/**/*.test.ts", "runtime/**/*.test.ts", "adapters/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Records the run's PostgreSQL instance (started by the first test that needs it) and stops it.
    globalSetup: ["test/support/postgres-global-setup.ts"],
  },
});
