/** A real local runtime on a temp SQLite file and temp dirs, with the app to call through `app.request`. */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../handlers/app.js";
import { createLocalRuntime, type LocalRuntimeOptions } from "../../runtime/local-runtime.js";
import type { SandboxReport } from "../../runtime/sandbox/report.js";

export const testToken = "test-token-for-gptme";

export interface TestServer {
  directory: string;
  workspace: string;
  runtime: ReturnType<typeof createLocalRuntime>["runtime"];
  app: ReturnType<typeof createApp>;
  /** `app.request` with the bearer token (unless `auth: false`) and JSON bodies. */
  call(path: string, init?: RequestInit & { json?: unknown; auth?: boolean }): Promise<Response>;
  close(): Promise<void>;
}

let warnedFallback = false;

/**
 * The agent's end-to-end tests through HTTP run their tools on the server's default backend,
 * bwrap. Where bwrap cannot work the server falls back to `none` (loudly); in CI
 * (GPTME_TEST_REQUIRE_BWRAP=1) that fails the test instead, so those tests always run sandboxed there.
 */
function checkDefaultSandbox(report: SandboxReport, overrides: Partial<LocalRuntimeOptions>): void {
  if (overrides.sandbox?.backend || (overrides.env ?? {}).GPTME_SANDBOX || report.backend === "bwrap") return;
  if (process.env.GPTME_TEST_REQUIRE_BWRAP === "1") throw new Error(`the test server's tools are not sandboxed with bwrap: ${report.warning}`);
  if (!warnedFallback) console.warn(`the test servers run their tools on ${report.backend}: ${report.warning}`);
  warnedFallback = true;
}

export function createTestServer(overrides: Partial<LocalRuntimeOptions> = {}): TestServer {
  const directory = mkdtempSync(join(tmpdir(), "gptme-test-"));
  const workspace = join(directory, "workspace");
  mkdirSync(workspace, { recursive: true });
  const local = createLocalRuntime({
    env: { HOME: directory, PATH: process.env.PATH },
    databasePath: join(directory, "gptme.db"),
    dataDirectory: join(directory, "data"),
    defaultWorkspace: workspace,
    authToken: testToken,
    userConfigPath: null,
    retry: { attempts: 3, baseDelayMs: 10 },
    ...overrides,
  });
  checkDefaultSandbox(local.runtime.settings.sandbox, overrides);
  const app = createApp();
  return {
    directory,
    workspace,
    runtime: local.runtime,
    app,
    call(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.auth !== false && !headers.has("authorization")) headers.set("authorization", `Bearer ${testToken}`);
      let body = init.body;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        headers.set("content-type", "application/json");
      }
      return Promise.resolve(app.request(path, { ...init, headers, body }, local.runtime));
    },
    async close() {
      await local.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A test server whose default model is `local/fake`, served by the given fake model server. */
export function createModelBackedServer(openaiBaseURL: string, overrides: Partial<LocalRuntimeOptions> = {}): TestServer {
  return createTestServer({
    env: { HOME: "/nonexistent", PATH: process.env.PATH, OPENAI_BASE_URL: openaiBaseURL, MODEL: "local/fake" },
    ...overrides,
  });
}
