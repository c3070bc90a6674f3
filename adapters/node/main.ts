/** `gptme-server [serve|token|openapi]`: the Node entry point. */
import { writeFileSync } from "node:fs";
import { AppError } from "../../runtime/errors.js";
import { parseServerOptions, serverToken, serverUsage } from "../../runtime/config/server-options.js";
import type { Runtime } from "../../runtime/runtime.js";
import { startBwrapProbe } from "../../runtime/sandbox/probe.js";
import { processAlive, watchParent } from "./parent-watch.js";
import { applyV8Settings } from "./v8-settings.js";

async function openapiDocument(): Promise<string> {
  const { createApp } = await import("../../handlers/app.js");
  const settings = { corsOrigins: [], authToken: null, bindHost: "127.0.0.1", allowedHosts: [] } as unknown as Runtime["settings"];
  const response = await createApp().request("/api/docs/openapi.json", {}, { settings } as Runtime);
  return JSON.stringify(await response.json(), null, 2);
}

async function main(): Promise<void> {
  const options = parseServerOptions(process.argv.slice(2), process.env);
  if (options.command === "help") {
    console.log(serverUsage);
    return;
  }
  if (options.command === "token") {
    const token = serverToken(process.env);
    console.log(`Authorization: Bearer ${token.token}`);
    if (token.generated) console.error("(a new random token: export GPTME_SERVER_TOKEN=<it> before starting the server to use it)");
    return;
  }
  if (options.command === "openapi") {
    const document = await openapiDocument();
    if (options.output) {
      writeFileSync(options.output, `${document}\n`);
      console.error(`Wrote ${options.output}`);
    } else {
      console.log(document);
    }
    return;
  }
  if (options.watchPid !== undefined && options.watchPid > 1 && !processAlive(options.watchPid)) {
    throw new Error(`Watched process ${options.watchPid} is not running (--watch-pid)`);
  }
  // Before the server's code loads and its heap grows.
  applyV8Settings();
  // The sandbox probe (a throwaway bwrap) runs while the server's code loads, not after it.
  const requestedSandbox = options.sandbox ?? process.env.GPTME_SANDBOX?.trim();
  if (!requestedSandbox || requestedSandbox === "bwrap") void startBwrapProbe();
  const { startServer } = await import("./serve.js");
  const server = await startServer(options);
  const say = (event: string, text: string, fields: Record<string, unknown> = {}) =>
    console.log(options.logFormat === "json" ? JSON.stringify({ time: new Date().toISOString(), event, ...fields }) : text);
  const shutdown = (signal: string) => {
    say("shutting_down", `\n${signal}: shutting down`, { signal });
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  if (options.exitOnParentDeath || options.watchPid !== undefined) {
    watchParent({ parent: options.exitOnParentDeath, pid: options.watchPid }, (pid) => {
      say("watched_process_gone", `\nWatched process ${pid} is gone (--exit-on-parent-death, --watch-pid): shutting down`, { pid });
      process.kill(process.pid, "SIGTERM");
    });
  }
}

main().catch((error: unknown) => {
  const message = error instanceof AppError || error instanceof Error ? error.message : String(error);
  console.error(`gptme-server: ${message}`);
  process.exit(1);
});
