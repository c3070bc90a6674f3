/**
 * The servers gptme's tests talk to, started by `run.py`: the fake model server (every reply
 * "ok"), one gptme-ts server with auth off (what gptme's `client` fixture is) and one with the
 * token its `server_thread` fixture uses. Prints one JSON line with
 * their URLs, then runs until stdin closes or SIGTERM.
 *
 *   node --import tsx scripts/gptme-tests/serve-stack.ts <state directory>
 */
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve, type Http2Bindings, type HttpBindings } from "@hono/node-server";
import { dotSegmentAnswer } from "../../adapters/node/dot-segments.js";
import { createApp } from "../../handlers/app.js";
import { createLocalRuntime } from "../../runtime/local-runtime.js";
import { startFakeModelServer } from "../../test/support/fake-model-server.js";

const stateDirectory = process.argv[2];
if (!stateDirectory) {
  console.error("usage: serve-stack.ts <state directory>");
  process.exit(2);
}

const serverToken = "test-token-for-server-thread";
const model = await startFakeModelServer();

async function startGptme(name: string, authToken: string | null) {
  const home = join(stateDirectory, name);
  const workspace = join(home, "workspace");
  mkdirSync(workspace, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_DATA_HOME: join(home, "data"),
    GPTME_CHAT_HISTORY: "false",
    MODEL: "local/test",
    OPENAI_BASE_URL: model.openaiBaseURL,
    OPENAI_API_KEY: "fake-key",
    ANTHROPIC_API_KEY: "fake-key",
  };
  const local = createLocalRuntime({
    env,
    databasePath: join(home, "gptme.db"),
    dataDirectory: join(home, "data", "gptme"),
    defaultWorkspace: workspace,
    authToken,
    modelBaseURLs: { openai: model.openaiBaseURL, anthropic: model.anthropicBaseURL },
    retry: { attempts: 1, baseDelayMs: 10 },
  });
  const app = createApp();
  // As adapters/node/serve.ts: dot segments are answered from the raw request line.
  const server = serve({
    fetch: (request, bindings: HttpBindings | Http2Bindings) => dotSegmentAnswer(bindings.incoming.url) ?? app.fetch(request, local.runtime),
    port: 0,
    hostname: "127.0.0.1",
  });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    home,
    workspace,
    close: async () => {
      await local.close();
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const open = await startGptme("auth-off", null);
const authenticated = await startGptme("auth-on", serverToken);
console.log(
  JSON.stringify({
    client_url: open.url,
    server_thread_url: authenticated.url,
    server_thread_port: Number(new URL(authenticated.url).port),
    token: serverToken,
    model_url: model.url,
    homes: { client: open.home, server_thread: authenticated.home },
  }),
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([open.close(), authenticated.close(), model.close()]);
  process.exit(0);
}
process.stdin.on("end", () => void stop());
process.stdin.resume();
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
