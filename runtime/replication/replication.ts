/**
 * A replica: several server processes on one PostgreSQL database and one NATS server. PostgreSQL
 * holds everything stored (conversations, drafts, session ids, sign-in sessions) and the leases;
 * NATS carries the live events (JetStream) and the requests one replica forwards to another.
 */
import { randomUUID } from "node:crypto";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { AppError } from "../errors.js";
import type { LocalSessionManager } from "../sessions/session-manager.js";
import type { SessionDependencies } from "../sessions/live-conversation.js";
import type { SharedState } from "../store/storage.js";
import { type ConversationLeases, createConversationLeases } from "./conversation-leases.js";
import { ReplicatedEventLog } from "./event-log.js";
import { Forwarding } from "./forwarding.js";
import { type ReplicatedSessionManager, replicatedSessions } from "./replicated-sessions.js";
import { SettingsNotices } from "./settings-notices.js";
import { SharedAutoConfirm } from "./shared-auto-confirm.js";
import { replicatedRouter } from "./router.js";
import { gatheringTokens } from "./token-gathering.js";

const sessionIdleSeconds = 24 * 60 * 60;
/** The server's default body limit (local-runtime.ts). */
const defaultBodyLimitBytes = 10 * 1024 * 1024;
/** A forwarded body left behind (its forwarder died mid-exchange) is removed after this long. */
const forwardedBodySeconds = 60 * 60;

export interface ReplicationOptions {
  natsUrl: string;
  shared: SharedState;
  /** `GPTME_REPLICA_ID`, else a random one. */
  replicaId?: string;
  /** `GPTME_LEASE_TTL_MS` (default 10 s): how soon a dead replica's conversations are taken over. */
  leaseTtlMs?: number;
  /** The JetStream stream's name (tests use their own). */
  streamName?: string;
}

export interface Replication {
  readonly replicaId: string;
  readonly leaseTtlMs: number;
  /** What the live conversations need to publish through NATS and run under leases. */
  sessionDependencies(): Pick<SessionDependencies, "eventSink" | "claim" | "autoConfirmChanged">;
  /** Tells the other replicas that the user settings changed (they read them again). */
  settingsChanged(): void;
  /** `reload` runs when another replica changed the user settings. */
  onSettingsChanged(reload: () => Promise<void>): void;
  /** The session manager replicas share state through. */
  sessions(local: LocalSessionManager): ReplicatedSessionManager;
  /**
   * The replica's fetch: forwards what the owner of a conversation must answer, serves the rest
   * here. `bodyLimitBytes` is the server's (default 10 MiB): larger bodies are refused where they land.
   */
  fetch(handle: (request: Request) => Promise<Response>, options?: { bodyLimitBytes?: number }): (request: Request) => Promise<Response>;
  close(): Promise<void>;
}

/** The configuration of a replica from its environment. */
export function replicationSettings(env: NodeJS.ProcessEnv): { replicaId?: string; leaseTtlMs?: number; streamName?: string } {
  const ttl = env.GPTME_LEASE_TTL_MS?.trim();
  const leaseTtlMs = ttl ? Number(ttl) : undefined;
  if (leaseTtlMs !== undefined && !(Number.isInteger(leaseTtlMs) && leaseTtlMs >= 200)) {
    throw new AppError(500, `GPTME_LEASE_TTL_MS must be a whole number of milliseconds, at least 200 (got ${JSON.stringify(ttl)})`);
  }
  const replicaId = env.GPTME_REPLICA_ID?.trim() || undefined;
  if (replicaId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(replicaId)) {
    throw new AppError(500, "GPTME_REPLICA_ID may hold only letters, digits, - and _ (at most 64)");
  }
  return { replicaId, leaseTtlMs, streamName: env.GPTME_NATS_STREAM?.trim() || undefined };
}

export async function startReplication(options: ReplicationOptions): Promise<Replication> {
  const replicaId = options.replicaId ?? randomUUID().replaceAll("-", "");
  const leaseTtlMs = options.leaseTtlMs ?? 10_000;
  let connection: NatsConnection;
  try {
    connection = await connect({ servers: options.natsUrl.split(",").map((server) => server.trim()), name: `gptme-server ${replicaId}`, maxReconnectAttempts: -1 });
  } catch (error) {
    throw new AppError(503, `cannot connect to NATS at ${options.natsUrl}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let events: ReplicatedEventLog;
  try {
    events = await ReplicatedEventLog.open(connection, options.streamName);
  } catch (error) {
    await connection.close();
    throw new AppError(503, `NATS at ${options.natsUrl} has no usable JetStream (run nats-server with -js): ${error instanceof Error ? error.message : String(error)}`);
  }
  const publish = (conversationId: string, event: Parameters<ReplicatedEventLog["publish"]>[1], allowed?: () => boolean) =>
    events.publish(conversationId, event, allowed).catch((error: unknown) => {
      console.error(`could not publish an event of ${conversationId}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    });
  const eventSink = gatheringTokens(publish);
  const leases: ConversationLeases = createConversationLeases({ shared: options.shared, replicaId, ttlMs: leaseTtlMs, publish });
  const autoConfirm = new SharedAutoConfirm(options.shared.autoConfirm);
  const settingsNotices = new SettingsNotices(connection, replicaId);
  const forwarding = new Forwarding({ connection, replicaId, bodies: options.shared.forwardedBodies });
  let manager: ReplicatedSessionManager | null = null;
  leases.start(Math.max(100, Math.floor(leaseTtlMs / 4)));
  // Session ids nobody used for a day are forgotten (a replica that knows a session does not touch its row on every request).
  const sessionSweep = setInterval(() => {
    void options.shared.sessionIds.forgetIdle(Date.now() / 1000 - sessionIdleSeconds).catch(() => undefined);
    void options.shared.forwardedBodies.removeOlderThan(Date.now() / 1000 - forwardedBodySeconds).catch(() => undefined);
  }, 10 * 60 * 1000);
  sessionSweep.unref();

  return {
    replicaId,
    leaseTtlMs,
    sessionDependencies: () => ({
      eventSink,
      claim: async (conversationId) => {
        const claim = await leases.claim(conversationId);
        // The next step, maybe elsewhere, starts once the lease is free: by then it must find the budget this one left.
        return { ...claim, release: () => autoConfirm.settled(conversationId).then(() => claim.release()) };
      },
      autoConfirmChanged: (conversationId, remaining) => autoConfirm.changed(conversationId, remaining),
    }),
    settingsChanged: () => settingsNotices.announce(),
    onSettingsChanged: (reload) => settingsNotices.listen(reload),
    sessions(local) {
      manager = replicatedSessions(local, options.shared.sessionIds, events, autoConfirm);
      return manager;
    },
    fetch(handle, fetchOptions = {}) {
      if (!manager) throw new Error("replication: sessions() must be called before fetch()");
      const sessions = manager;
      const routed = replicatedRouter(handle, {
        replicaId,
        leases: options.shared.leases,
        forwarding,
        sessions,
        bodyLimitBytes: fetchOptions.bodyLimitBytes ?? defaultBodyLimitBytes,
      });
      // Forwarded requests go through the router too (it reads their sessions from the store), never onwards.
      forwarding.serve(routed, (conversationId) => (sessions.isGenerating(conversationId) ? sessions.state(conversationId) : null));
      return routed;
    },
    async close() {
      clearInterval(sessionSweep);
      settingsNotices.close();
      forwarding.close();
      await leases.close();
      await eventSink.settled();
      await events.close();
      await connection.drain().catch(() => undefined);
    },
  };
}
