/**
 * Live generation per conversation: one generation at a time, pending tool confirmations that wait
 * for a client, and a numbered event stream every client of the conversation shares. Everything a
 * session produces that matters is persisted by the loop before its event is published.
 */
import { randomUUID } from "node:crypto";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.js";
import { EventMemory } from "./event-buffer.js";
import { LiveConversation, type SessionDependencies } from "./live-conversation.js";
import { validateConfirm } from "./tool-confirmations.js";
import type { SessionInfo, SessionManager, SessionSnapshot } from "./types.js";
import { rerunnableToolUses } from "./rerun.js";

export type { GenerationClaim, SessionDependencies } from "./live-conversation.js";

/** The manager with what the replicated one adds around it (see replication/replicated-sessions.ts). */
export interface LocalSessionManager extends SessionManager {
  /** Makes a session another replica created (read from the store) known here; nothing when it already is. */
  adopt(conversationId: string, sessionId: string, autoConfirm: number): void;
  /** Whether this process knows the session. */
  knows(sessionId: string): boolean;
  /** Takes the conversation's auto-confirm budget from the store, unless a generation runs here (its own count is the current one). */
  adoptAutoConfirm(conversationId: string, remaining: number): void;
}

/** Idle conversations (no client, no generation, nothing pending) are forgotten after this long, as in gptme. */
const defaultIdleLimitMs = 60 * 60 * 1000;

export function createSessionManager(dependencies: SessionDependencies): LocalSessionManager {
  const conversations = new Map<string, LiveConversation>();
  const sessionOwners = new Map<string, string>();
  const eventMemory = new EventMemory(dependencies.eventLimits?.totalBytes);

  const live = (conversationId: string): LiveConversation => {
    let conversation = conversations.get(conversationId);
    if (!conversation) {
      conversation = new LiveConversation(conversationId, dependencies, eventMemory);
      conversations.set(conversationId, conversation);
    }
    conversation.touch();
    return conversation;
  };

  const drop = (conversation: LiveConversation) => {
    conversation.dispose();
    for (const id of conversation.sessions.keys()) sessionOwners.delete(id);
    conversations.delete(conversation.id);
  };

  const idleLimitMs = dependencies.idleLimitMs ?? defaultIdleLimitMs;
  const sweeper = setInterval(() => {
    const cutoff = Date.now() - idleLimitMs;
    for (const conversation of conversations.values()) {
      if (!conversation.idleSince(cutoff)) continue;
      drop(conversation);
      dependencies.onIdle?.(conversation.id);
    }
  }, Math.min(idleLimitMs, 10 * 60 * 1000));
  sweeper.unref();

  const requireSession = (conversationId: string, sessionId: string): SessionSnapshot => {
    const owner = sessionOwners.get(sessionId);
    if (owner === undefined) throw new NotFoundError(`Session not found: ${sessionId}`);
    if (owner !== conversationId) throw new ForbiddenError(`Session ${sessionId} does not belong to conversation ${conversationId}`);
    return live(conversationId).snapshot(sessionId);
  };

  return {
    create(conversationId, options = {}) {
      const id = randomUUID();
      const conversation = live(conversationId);
      conversation.addSession(id, options.autoConfirm);
      sessionOwners.set(id, conversationId);
      return conversation.snapshot(id);
    },

    require: requireSession,

    adopt(conversationId, sessionId) {
      if (sessionOwners.has(sessionId)) return;
      // The budget is the conversation's, shared through the store (what is left of it, not what the session started with).
      live(conversationId).addSession(sessionId, undefined);
      sessionOwners.set(sessionId, conversationId);
    },

    adoptAutoConfirm(conversationId, remaining) {
      const conversation = live(conversationId);
      if (!conversation.generating) conversation.adoptAutoConfirm(remaining);
    },

    knows(sessionId) {
      return sessionOwners.has(sessionId);
    },

    state(conversationId) {
      const conversation = conversations.get(conversationId);
      if (!conversation) return { generating: false, lastError: null, pendingTools: [], sessionId: null, autoConfirmLeft: 0 };
      return {
        generating: conversation.generating,
        lastError: conversation.lastError,
        pendingTools: conversation.pendingTools(),
        sessionId: conversation.lastSessionId,
        autoConfirmLeft: conversation.autoConfirmLeft(),
      };
    },

    isGenerating(conversationId) {
      return conversations.get(conversationId)?.generating ?? false;
    },

    async step(conversationId, options) {
      requireSession(conversationId, options.sessionId);
      await live(conversationId).step(options);
    },

    list() {
      const sessions: SessionInfo[] = [];
      for (const conversation of conversations.values()) {
        for (const [id, session] of conversation.sessions) {
          const drivesGeneration = conversation.generating && conversation.lastSessionId === id;
          sessions.push({
            id,
            conversationId: conversation.id,
            generating: drivesGeneration,
            generatingSince: drivesGeneration ? conversation.generatingSince : null,
            createdAt: session.createdAt,
            lastActivity: conversation.lastActivity,
          });
        }
      }
      return sessions;
    },

    async remove(sessionId) {
      const conversationId = sessionOwners.get(sessionId);
      const conversation = conversationId === undefined ? undefined : conversations.get(conversationId);
      if (conversationId === undefined || !conversation) return false;
      if (conversation.generating && conversation.lastSessionId === sessionId) await conversation.interrupt();
      conversation.removeSession(sessionId);
      sessionOwners.delete(sessionId);
      return true;
    },

    async confirm(conversationId, options) {
      validateConfirm(options);
      if (options.sessionId) requireSession(conversationId, options.sessionId);
      const conversation = conversations.get(conversationId);
      if (!conversation || !conversation.knowsTool(options.toolId)) {
        // gptme's two wordings: without a session it looked through every session of the conversation.
        throw new NotFoundError(
          options.sessionId
            ? `Tool ${options.toolId} no longer pending (may have been executed or cancelled)`
            : `Tool not found in any session for conversation: ${options.toolId}`,
        );
      }
      return conversation.confirm(options);
    },

    async rerun(conversationId, sessionId) {
      requireSession(conversationId, sessionId);
      if (conversations.get(conversationId)?.generating) throw new ConflictError("Cannot rerun while generation is in progress");
      const count = await rerunnableToolUses(dependencies, conversationId);
      await this.step(conversationId, { sessionId, rerun: true });
      return count;
    },

    setAutoConfirm(conversationId, value, sessionId) {
      if (sessionId) requireSession(conversationId, sessionId);
      return live(conversationId).setAutoConfirm(value);
    },

    async skipPendingTools(conversationId) {
      await conversations.get(conversationId)?.skipPendingTools();
    },

    async cancelPendingTools(conversationId) {
      await conversations.get(conversationId)?.cancelPendingTools();
    },

    async interrupt(conversationId, sessionId) {
      if (sessionId) requireSession(conversationId, sessionId);
      const conversation = conversations.get(conversationId);
      if (!conversation) return "Already interrupted or not generating";
      return conversation.interrupt();
    },

    publish(conversationId, event) {
      live(conversationId).publish(event);
    },

    async settled(conversationId) {
      await conversations.get(conversationId)?.settled();
    },

    subscribe(conversationId, lastEventId, listener, onClose) {
      return live(conversationId).subscribe(lastEventId, listener, onClose);
    },

    forget(conversationId) {
      const conversation = conversations.get(conversationId);
      if (conversation) drop(conversation);
    },

    async close() {
      clearInterval(sweeper);
      const running: Promise<void>[] = [];
      for (const conversation of conversations.values()) {
        const generation = conversation.close();
        if (generation) running.push(generation);
      }
      await Promise.allSettled(running);
    },
  };
}
