/**
 * The session manager of a replica: this process's live conversations (the generations it runs),
 * with what replicas share around them. Session ids are recorded in the store, so any replica
 * accepts them; events go to the JetStream log and reach every replica's clients from there; the
 * state of a conversation another replica runs is the one it reported for this request.
 */
import type { LocalSessionManager } from "../sessions/session-manager.js";
import type { SessionManager } from "../sessions/types.js";
import { autoConfirmCount } from "../sessions/live-conversation.js";
import type { SessionIdStore } from "../store/session-ids.js";
import type { ReplicatedEventLog } from "./event-log.js";
import type { SharedAutoConfirm } from "./shared-auto-confirm.js";

type LiveState = ReturnType<SessionManager["state"]>;

export interface ReplicatedSessionManager extends SessionManager {
  /** Makes sessions from the store known here (the router calls this before a request that names one). */
  adoptFromStore(sessionId: string): Promise<void>;
  /** Uses `state` as the conversation's live state for a moment (the owner's answer, for this request). */
  rememberRemoteState(conversationId: string, state: LiveState): void;
  /** Takes the conversation's auto-confirm budget from the store (unless its generation runs here). */
  loadAutoConfirm(conversationId: string): Promise<void>;
  /** Resolves once the session ids and budgets changed so far are in the store (before a response names one). */
  flush(): Promise<void>;
}

/** How long an owner's reported state stands for the conversation (one request's worth). */
const remoteStateMs = 2_000;

export function replicatedSessions(
  local: LocalSessionManager,
  sessionIds: SessionIdStore,
  events: ReplicatedEventLog,
  autoConfirm: SharedAutoConfirm,
): ReplicatedSessionManager {
  const pending = new Set<Promise<unknown>>();
  const remote = new Map<string, { state: LiveState; until: number }>();
  const closers = new Set<() => void>();

  const track = (write: Promise<unknown>) => {
    const tracked = write.catch((error: unknown) => console.error(`could not record a session: ${error instanceof Error ? error.message : String(error)}`));
    pending.add(tracked);
    void tracked.finally(() => pending.delete(tracked));
  };

  return {
    ...local,

    create(conversationId, options = {}) {
      const snapshot = local.create(conversationId, options);
      track(sessionIds.add({ id: snapshot.id, conversationId, autoConfirm: autoConfirmCount(options.autoConfirm) }));
      return snapshot;
    },

    state(conversationId) {
      const reported = remote.get(conversationId);
      if (reported && reported.until > Date.now() && !local.isGenerating(conversationId)) return reported.state;
      return local.state(conversationId);
    },

    isGenerating(conversationId) {
      const reported = remote.get(conversationId);
      if (reported && reported.until > Date.now()) return reported.state.generating;
      return local.isGenerating(conversationId);
    },

    subscribe(conversationId, lastEventId, listener, onClose) {
      const stop = events.subscribe(conversationId, lastEventId, listener);
      const close = () => {
        stop();
        onClose?.();
      };
      closers.add(close);
      return {
        replay: [],
        missed: false,
        unsubscribe: () => {
          closers.delete(close);
          stop();
        },
      };
    },

    async adoptFromStore(sessionId) {
      if (local.knows(sessionId)) return;
      const record = await sessionIds.use(sessionId);
      if (record) local.adopt(record.conversationId, record.id, record.autoConfirm);
    },

    rememberRemoteState(conversationId, state) {
      remote.set(conversationId, { state, until: Date.now() + remoteStateMs });
      for (const [id, entry] of remote) if (entry.until <= Date.now()) remote.delete(id);
    },

    async loadAutoConfirm(conversationId) {
      if (local.isGenerating(conversationId)) return;
      const remaining = await autoConfirm.load(conversationId);
      if (remaining !== null) local.adoptAutoConfirm(conversationId, remaining);
    },

    async flush() {
      await Promise.all([...pending, autoConfirm.settledAll()]);
    },

    async close() {
      await local.close();
      for (const close of [...closers]) close();
      closers.clear();
      await this.flush();
    },
  };
}
