/** Runs the app on a port with @hono/node-server: banner, request log, graceful shutdown. */
import type { ServerOptions as HttpServerOptions } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "../../handlers/app.js";
import { databasePath } from "../../runtime/config/paths.js";
import { authDisabled, serverToken, type ServerOptions } from "../../runtime/config/server-options.js";
import { storageMode } from "../../runtime/config/storage-mode.js";
import { createLocalRuntime } from "../../runtime/local-runtime.js";
import type { SqliteConversationStore } from "../../runtime/store/sqlite/sqlite-store.js";
import { createServerLog, secretsOf } from "../../runtime/logging/server-log.js";
import { bwrapProbesSettled } from "../../runtime/sandbox/probe.js";
import { openStorage } from "../../runtime/store/open-storage.js";
import { defaultToolNames } from "../../runtime/tools/registry.js";
import { startupBanner } from "./banner.js";
import { nodeFetchHandler } from "./fetch-handler.js";

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A client that drips its headers or body holds a socket and its buffers: cut it off (408) after
 * the limits. Only the receiving of a request counts, so an event stream (a response) may stay
 * open for hours. Node checks the deadlines periodically; check often enough for short limits.
 */
export function slowClientLimits(options: Pick<ServerOptions, "headersTimeoutMs" | "requestTimeoutMs">): HttpServerOptions {
  const headersTimeout = Math.min(options.headersTimeoutMs, options.requestTimeoutMs);
  return {
    headersTimeout,
    requestTimeout: options.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(headersTimeout / 10))),
  };
}

export async function startServer(options: ServerOptions, env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  const token = serverToken(env);
  const log = createServerLog({
    format: options.logFormat,
    write: (line) => console.log(line),
    secrets: secretsOf(env, [token.token]),
    requests: options.verbose,
  });
  const mode = storageMode(env, databasePath(env, options.database), options.database !== undefined);
  // NATS and the replication layer are loaded only in replicated mode (they cost ~100 ms at start).
  const replicationModule = mode.kind === "replicated" ? await import("../../runtime/replication/replication.js") : undefined;
  const settings = replicationModule ? replicationModule.replicationSettings(env) : null;
  const storage = await openStorage(mode);
  const replication =
    mode.kind === "replicated" && storage.shared && replicationModule
      ? await replicationModule.startReplication({ natsUrl: mode.natsUrl, shared: storage.shared, ...settings }).catch(async (error: unknown) => {
          await storage.close();
          throw error;
        })
      : undefined;
  await bwrapProbesSettled();
  const local = createLocalRuntime({
    replication,
    env,
    storage,
    defaultWorkspace: options.workspace,
    allowedWorkspaceRoots: options.allowedWorkspaceRoots,
    model: options.model,
    tools: options.tools,
    corsOrigins: options.corsOrigins,
    bindHost: options.host,
    allowedHosts: options.allowedHosts,
    authToken: authDisabled(env) ? null : token.token,
    sandbox: { backend: options.sandbox, network: options.sandboxNetwork },
    metricsPublic: options.metricsPublic,
    log,
  });
  const recovered = await local.recoverInterruptedReplies().catch(async (error: unknown) => {
    await local.close();
    throw error;
  });
  const app = createApp();
  const runtime = local.runtime;
  const handle = (request: Request) => Promise.resolve(app.fetch(request, runtime));
  const routed = replication ? replication.fetch(handle) : handle;
  const server = serve({
    fetch: nodeFetchHandler(routed, log),
    port: options.port,
    hostname: options.host,
    serverOptions: slowClientLimits(options),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  }).catch(async (error: NodeJS.ErrnoException) => {
    await local.close();
    if (error.code === "EADDRINUSE") {
      throw new Error(`Port ${options.port} on ${options.host} is already in use: stop the other server or pass --port`);
    }
    if (error.code === "EACCES") throw new Error(`No permission to listen on ${options.host}:${options.port}`);
    throw error;
  });
  // With the first draft write (see wal-checkpointer.ts): replies that stream for more than a second
  // are what fill the WAL, and an idle server does not hold the thread (about 10 MB) or pay its start.
  if (storage.kind === "sqlite") {
    const store = storage.conversations as SqliteConversationStore;
    store.drafts.onFirstWrite(() =>
      store.checkpointInBackground({ onFailure: (reason) => log.info("wal_checkpoints_on_main_connection", { reason }) }),
    );
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`;
  const unavailableTools = defaultToolNames({ includeUnavailable: true }).filter((name) => !defaultToolNames().includes(name));
  if (options.logFormat === "json") {
    // The token is shown only by the text banner, to the person at the terminal, never in a log.
    log.info("server_started", {
      url,
      version: runtime.settings.version,
      auth: runtime.settings.authToken === null ? "disabled" : token.generated ? "generated token (not logged: set GPTME_SERVER_TOKEN)" : "token",
      database: runtime.settings.databasePath,
      model: runtime.models.defaultModel() ?? null,
      sandbox: runtime.settings.sandbox.backend,
      replica: replication?.replicaId ?? null,
      recovered_replies: recovered,
    });
  } else {
    console.log(startupBanner({ runtime, url, tokenGenerated: token.generated, unavailableTools }));
    if (replication) {
      console.log(`  Replica:  ${replication.replicaId} (events and forwarding over NATS; a dead replica's conversations are taken over after ${replication.leaseTtlMs} ms)`);
    }
    if (recovered > 0) {
      console.log(`  Recovered ${recovered} ${recovered === 1 ? "reply" : "replies"} cut off by a crash (stored, marked [INTERRUPTED])`);
    }
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await local.close();
      const forced = setTimeout(() => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }, 5000);
      await stopped;
      clearTimeout(forced);
    })());
  return { url, port: address.port, close };
}
