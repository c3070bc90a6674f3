/** Runs the app on a port with @hono/node-server: banner, request log, graceful shutdown. */
import type { ServerOptions as HttpServerOptions } from "node:http";
import type { AddressInfo } from "node:net";
import { serve, type Http2Bindings, type HttpBindings } from "@hono/node-server";
import { createApp } from "../../handlers/app.js";
import { databasePath } from "../../runtime/config/paths.js";
import { authDisabled, serverToken, type ServerOptions } from "../../runtime/config/server-options.js";
import { storageMode } from "../../runtime/config/storage-mode.js";
import { createLocalRuntime } from "../../runtime/local-runtime.js";
import { replicationSettings, startReplication } from "../../runtime/replication/replication.js";
import { openStorage } from "../../runtime/store/open-storage.js";
import { defaultToolNames } from "../../runtime/tools/registry.js";
import { startupBanner } from "./banner.js";
import { dotSegmentAnswer } from "./dot-segments.js";

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
  const mode = storageMode(env, databasePath(env, options.database), options.database !== undefined);
  const settings = mode.kind === "replicated" ? replicationSettings(env) : null;
  const storage = await openStorage(mode);
  const replication =
    mode.kind === "replicated" && storage.shared
      ? await startReplication({ natsUrl: mode.natsUrl, shared: storage.shared, ...settings }).catch(async (error: unknown) => {
          await storage.close();
          throw error;
        })
      : undefined;
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
    fetch: async (request, bindings: HttpBindings | Http2Bindings) => {
      const started = performance.now();
      const response = dotSegmentAnswer(bindings.incoming.url) ?? (await routed(request));
      if (options.verbose) {
        const path = new URL(request.url).pathname;
        console.log(`${request.method} ${path} ${response.status} ${(performance.now() - started).toFixed(1)}ms`);
      }
      return response;
    },
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
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`;
  const unavailableTools = defaultToolNames({ includeUnavailable: true }).filter((name) => !defaultToolNames().includes(name));
  console.log(startupBanner({ runtime, url, tokenGenerated: token.generated, unavailableTools }));
  if (replication) {
    console.log(`  Replica:  ${replication.replicaId} (events and forwarding over NATS; a dead replica's conversations are taken over after ${replication.leaseTtlMs} ms)`);
  }
  if (recovered > 0) {
    console.log(`  Recovered ${recovered} ${recovered === 1 ? "reply" : "replies"} cut off by a crash (stored, marked [INTERRUPTED])`);
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
