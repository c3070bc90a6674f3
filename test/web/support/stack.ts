/** The whole system for end-to-end browser tests: built client, fake model, real server, Chromium. */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { startFakeModelServer, type FakeModelServer } from "../../support/fake-model-server.js";
import { ensurePackageWebBuild, launchBrowser, repositoryRoot } from "./browser.js";
import { startRealServer, type RealServer } from "./real-server.js";

export interface Stack {
  token: string;
  directory: string;
  workspace: string;
  model: FakeModelServer;
  server: RealServer;
  browser: Browser;
  /** Stops the server and starts it again on the same port and data (sessions are lost, conversations kept). */
  restartServer(): Promise<RealServer>;
  /** `fetch` on the server with the bearer token. */
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

export async function startStack(token: string): Promise<Stack> {
  const directory = mkdtempSync(join(tmpdir(), "gptme-web-e2e-"));
  const workspace = join(directory, "workspace");
  mkdirSync(workspace);
  mkdirSync(join(repositoryRoot, "test-results"), { recursive: true });
  // The server serves the package's dist/web, as it does for users.
  await ensurePackageWebBuild();
  const model = await startFakeModelServer();
  const env = { OPENAI_BASE_URL: model.openaiBaseURL, OPENAI_API_KEY: "fake-key", MODEL: "local/fake" };
  const stack: Stack = {
    token,
    directory,
    workspace,
    model,
    server: await startRealServer({ directory, workspace, token, env }),
    browser: await launchBrowser(),
    async restartServer() {
      const port = Number(new URL(stack.server.url).port);
      await stack.server.stop();
      stack.server = await startRealServer({ directory, workspace, token, env, port });
      return stack.server;
    },
    call(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(init.json);
      }
      return fetch(`${stack.server.url}${path}`, { ...init, headers, body });
    },
    async stop() {
      await stack.browser.close();
      await stack.server.stop();
      await model.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
  return stack;
}
