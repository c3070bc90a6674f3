/**
 * One generation per conversation across replicas: a generation runs under the conversation's
 * lease (PostgreSQL, with a fencing token), renewed while it runs. Its writes go through stores
 * fenced by that token, so once another replica took the lease over nothing of it lands; its events
 * stop too, as soon as this process's own clock says the lease may have lapsed (a process paused
 * past its lease finds that out before it sends anything).
 */
import { recoverInterruptedReply } from "../conversations/recover-drafts.js";
import { ConflictError } from "../errors.js";
import type { GenerationClaim } from "../sessions/live-conversation.js";
import type { SessionEvent } from "../sessions/types.js";
import type { Lease } from "../store/leases.js";
import type { SharedState } from "../store/storage.js";

export const conversationLeasePrefix = "conversation:";

export const leaseName = (conversationId: string) => `${conversationLeasePrefix}${conversationId}`;

export interface ConversationLeaseOptions {
  shared: SharedState;
  replicaId: string;
  /** How long a lease lasts without renewal; a dead replica's conversations are free after this. */
  ttlMs: number;
  /** Publishes an event of a conversation (after a takeover: `interrupted`). */
  publish(conversationId: string, event: SessionEvent): Promise<unknown>;
  log?: (line: string) => void;
}

export interface ConversationLeases {
  claim(conversationId: string): Promise<GenerationClaim>;
  /** Takes over every conversation whose replica stopped renewing its lease; resolves with their ids. */
  takeOverExpired(): Promise<string[]>;
  /** Takes over expired leases every `intervalMs` until `close`. */
  start(intervalMs: number): void;
  close(): Promise<void>;
}

export function createConversationLeases(options: ConversationLeaseOptions): ConversationLeases {
  const { shared, replicaId, ttlMs } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const active = new Set<GenerationClaim>();
  let timer: NodeJS.Timeout | null = null;
  let sweeping: Promise<unknown> = Promise.resolve();

  /** After a takeover: the dead generation's draft becomes its interrupted reply, and clients hear that it ended. */
  const cleanUpAfter = async (conversationId: string, lease: Lease) => {
    const fenced = shared.fenced(lease);
    const recovered = await recoverInterruptedReply(fenced.conversations, fenced.drafts, conversationId);
    log(
      `took over conversation ${conversationId} from replica ${lease.holder === replicaId ? "(this one)" : "that stopped renewing its lease"}` +
        (recovered ? ": its reply so far was stored, marked [INTERRUPTED]" : ""),
    );
    await options.publish(conversationId, { type: "interrupted" }).catch(() => undefined);
  };

  const takeOver = async (conversationId: string): Promise<Lease | null> => {
    const taken = await shared.leases.takeover(leaseName(conversationId), replicaId, ttlMs);
    if (!taken) return null;
    await cleanUpAfter(conversationId, taken.lease);
    return taken.lease;
  };

  const claimFor = (conversationId: string, lease: Lease, leaseStart: number): GenerationClaim => {
    const controller = new AbortController();
    let validUntil = leaseStart + ttlMs;
    let released = false;
    const fenced = shared.fenced(lease);
    const lose = (why: string) => {
      if (controller.signal.aborted || released) return;
      controller.abort();
      clearInterval(renewal);
      active.delete(claim);
      log(`lost the lease of conversation ${conversationId} (fencing token ${lease.token}, ${why}): its generation stops and writes nothing more`);
    };
    const renewal = setInterval(
      () => {
        if (performance.now() >= validUntil) return lose("not renewed in time");
        const started = performance.now();
        shared.leases.renew(lease, ttlMs).then(
          (renewed) => {
            if (renewed) validUntil = Math.max(validUntil, started + ttlMs);
            else lose("taken over by another replica");
          },
          () => undefined,
        );
      },
      Math.max(50, Math.floor(ttlMs / 4)),
    );
    renewal.unref();
    const claim: GenerationClaim = {
      store: fenced.conversations,
      drafts: fenced.drafts,
      lost: controller.signal,
      holds() {
        if (controller.signal.aborted) return false;
        if (released) return true;
        if (performance.now() >= validUntil) {
          lose("not renewed in time");
          return false;
        }
        return true;
      },
      async release() {
        if (released) return;
        released = true;
        clearInterval(renewal);
        active.delete(claim);
        if (!controller.signal.aborted) await shared.leases.release(lease);
      },
    };
    active.add(claim);
    return claim;
  };

  return {
    async claim(conversationId) {
      const started = performance.now();
      const lease = (await shared.leases.acquire(leaseName(conversationId), replicaId, ttlMs)) ?? (await takeOver(conversationId));
      if (!lease) throw new ConflictError("Generation already in progress (on another server replica)");
      return claimFor(conversationId, lease, started);
    },

    async takeOverExpired() {
      const taken: string[] = [];
      for (const expired of await shared.leases.expired(conversationLeasePrefix)) {
        const conversationId = expired.name.slice(conversationLeasePrefix.length);
        const lease = await takeOver(conversationId).catch((error: unknown) => {
          log(`could not take over conversation ${conversationId}: ${error instanceof Error ? error.message : String(error)}`);
          return null;
        });
        if (!lease) continue;
        await shared.leases.release(lease).catch(() => undefined);
        taken.push(conversationId);
      }
      return taken;
    },

    start(intervalMs) {
      timer = setInterval(() => {
        sweeping = sweeping.then(() => this.takeOverExpired()).catch(() => undefined);
      }, intervalMs);
      timer.unref();
    },

    async close() {
      if (timer) clearInterval(timer);
      await sweeping;
      await Promise.allSettled([...active].map((claim) => claim.release()));
    },
  };
}
