/**
 * Live generation per conversation: one generation at a time, pending tool confirmations that wait
 * for a client, and a numbered event stream every client of the conversation shares. Everything a
 * session produces that matters is persisted by the loop before its event is published.
 */
import { randomUUID } from "node:crypto";
import type { AgentEvent, AgentLoopOptions, ConfirmDecision, LoopOutcome, PendingTool, ToolFormat } from "../agent/types.js";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from "../errors.js";
import type { LanguageModel, ModelRegistry } from "../models/model.js";
import type { ConversationStore } from "../store/types.js";
import type { ToolRegistry } from "../tools/tool.js";
import { EventBuffer } from "./event-buffer.js";
import type {
  ConfirmOptions,
  NumberedEvent,
  SessionEvent,
  SessionManager,
  SessionInfo,
  SessionSnapshot,
  StepOptions,
  WirePendingTool,
} from "./types.js";

export interface SessionDependencies {
  store: ConversationStore;
  models: ModelRegistry;
  /** The tools a conversation may use (its `chat.tools` allowlist). */
  toolsFor: (names: string[] | undefined) => ToolRegistry;
  dataDirectory: string;
  runLoop: (options: AgentLoopOptions) => Promise<LoopOutcome>;
  /** Names a conversation after its first reply; resolves to the new name or null. */
  autoName?: (conversationId: string, model: LanguageModel | null) => Promise<string | null>;
  /** How long an idle conversation's sessions and event buffer are kept (default one hour). */
  idleLimitMs?: number;
}

interface Waiting {
  wire: WirePendingTool;
  resolve: (decision: ConfirmDecision) => void;
}

interface LiveConversation {
  sessions: Map<string, { autoConfirm: number; createdAt: number }>;
  buffer: EventBuffer;
  listeners: Set<(event: NumberedEvent) => void>;
  generating: boolean;
  lastError: string | null;
  lastSessionId: string | null;
  waiting: Map<string, Waiting>;
  abort: AbortController | null;
  running: Promise<void> | null;
  autoConfirm: number;
  pendingTokens: string;
  flushScheduled: boolean;
  interruptedSent: boolean;
  closers: Set<() => void>;
  lastActivity: number;
  /** When the current generation started (epoch ms), for the sessions list and server health. */
  generatingSince: number | null;
}

/** Idle conversations (no client, no generation, nothing pending) are forgotten after this long, as in gptme. */
const defaultIdleLimitMs = 60 * 60 * 1000;

/** `true` → unlimited, a number → that many tools, `false`/undefined → ask. */
function autoConfirmCount(value: boolean | number | undefined): number {
  if (value === true) return Number.POSITIVE_INFINITY;
  if (typeof value === "number") return value > 0 ? value : 0;
  return 0;
}

export function createSessionManager(dependencies: SessionDependencies): SessionManager {
  const conversations = new Map<string, LiveConversation>();
  const sessionOwners = new Map<string, string>();

  const live = (conversationId: string): LiveConversation => {
    let state = conversations.get(conversationId);
    if (!state) {
      state = {
        sessions: new Map(),
        buffer: new EventBuffer(),
        listeners: new Set(),
        generating: false,
        lastError: null,
        lastSessionId: null,
        waiting: new Map(),
        abort: null,
        running: null,
        autoConfirm: 0,
        pendingTokens: "",
        flushScheduled: false,
        interruptedSent: false,
        closers: new Set(),
        lastActivity: Date.now(),
        generatingSince: null,
      };
      conversations.set(conversationId, state);
    }
    state.lastActivity = Date.now();
    return state;
  };

  const idleLimitMs = dependencies.idleLimitMs ?? defaultIdleLimitMs;
  const sweepIdle = () => {
    const cutoff = Date.now() - idleLimitMs;
    for (const [conversationId, state] of conversations) {
      const busy = state.generating || state.listeners.size > 0 || state.waiting.size > 0;
      if (busy || state.lastActivity > cutoff) continue;
      for (const id of state.sessions.keys()) sessionOwners.delete(id);
      conversations.delete(conversationId);
    }
  };
  const sweeper = setInterval(sweepIdle, Math.min(idleLimitMs, 10 * 60 * 1000));
  sweeper.unref();

  const deliver = (state: LiveConversation, event: SessionEvent) => {
    const numbered = state.buffer.push(event);
    for (const listener of state.listeners) listener(numbered);
  };

  const flushTokens = (state: LiveConversation) => {
    state.flushScheduled = false;
    if (state.pendingTokens === "") return;
    const token = state.pendingTokens;
    state.pendingTokens = "";
    deliver(state, { type: "generation_progress", token });
  };

  /**
   * Deltas delivered together (one read of the model's stream) go out as one event. A microtask,
   * not setImmediate: waiting for the check phase let every other socket's data go first, which
   * doubled the median relay latency with 200 streams.
   */
  const publish = (conversationId: string, event: SessionEvent) => {
    const state = live(conversationId);
    if (event.type === "generation_progress") {
      state.pendingTokens += event.token;
      if (!state.flushScheduled) {
        state.flushScheduled = true;
        queueMicrotask(() => flushTokens(state));
      }
      return;
    }
    flushTokens(state);
    if (event.type === "interrupted") state.interruptedSent = true;
    deliver(state, event);
  };

  const wirePending = (state: LiveConversation) => [...state.waiting.values()].map((waiting) => waiting.wire);

  const requireSession = (conversationId: string, sessionId: string): SessionSnapshot => {
    const owner = sessionOwners.get(sessionId);
    if (owner === undefined) throw new NotFoundError(`Session not found: ${sessionId}`);
    if (owner !== conversationId) throw new ForbiddenError("Session belongs to another conversation");
    return snapshot(conversationId, sessionId);
  };

  const snapshot = (conversationId: string, sessionId: string): SessionSnapshot => {
    const state = live(conversationId);
    return {
      id: sessionId,
      conversationId,
      generating: state.generating,
      lastError: state.lastError,
      pendingTools: wirePending(state),
    };
  };

  const resolveModel = async (conversationId: string, requested: string | undefined) => {
    const conversation = await dependencies.store.get(conversationId);
    if (!conversation) throw new NotFoundError(`Conversation not found: ${conversationId}`);
    const configured = conversation.config.chat.model || undefined;
    const name = requested?.trim() || configured || dependencies.models.defaultModel() || undefined;
    const model = dependencies.models.resolve(name);
    if (requested?.trim() && requested.trim() !== configured) {
      const config = { ...conversation.config, chat: { ...conversation.config.chat, model: model.id } };
      await dependencies.store.updateConfig(conversationId, config);
      publish(conversationId, { type: "config_changed", config, changed_fields: ["model"] });
    }
    return { conversation: (await dependencies.store.get(conversationId))!, model };
  };

  const runGeneration = async (conversationId: string, options: StepOptions, model: LanguageModel) => {
    const state = live(conversationId);
    const conversation = (await dependencies.store.get(conversationId))!;
    const abort = new AbortController();
    state.abort = abort;
    const emit = (event: AgentEvent) => {
      if (event.type === "error") state.lastError = event.error;
      publish(conversationId, event);
    };
    const confirm = (pending: PendingTool): Promise<ConfirmDecision> => {
      if (pending.autoConfirm) return Promise.resolve({ action: "confirm" });
      if (abort.signal.aborted) return Promise.resolve({ action: "stop" });
      return new Promise((resolve) => {
        const wire: WirePendingTool = {
          tool_id: pending.toolId,
          tooluse: pending.wire,
          auto_confirm: false,
          preview: pending.preview,
        };
        state.waiting.set(pending.toolId, {
          wire,
          resolve: (decision) => {
            state.waiting.delete(pending.toolId);
            resolve(decision);
          },
        });
      });
    };
    const takeAutoConfirm = () => {
      if (state.autoConfirm <= 0) return false;
      state.autoConfirm -= 1;
      return true;
    };
    let outcome: LoopOutcome = "error";
    try {
      outcome = await dependencies.runLoop({
        conversationId,
        store: dependencies.store,
        model,
        tools: dependencies.toolsFor(conversation.config.chat.tools),
        cost: (modelId, usage) => dependencies.models.cost(modelId, usage),
        toolFormat: (conversation.config.chat.tool_format ?? "markdown") as ToolFormat,
        workspace: conversation.workspace,
        dataDirectory: dependencies.dataDirectory,
        branch: options.branch ?? "main",
        stream: options.stream ?? conversation.config.chat.stream ?? true,
        signal: abort.signal,
        confirm,
        takeAutoConfirm,
        emit,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      state.lastError = message;
      publish(conversationId, { type: "error", error: message });
    } finally {
      flushTokens(state);
      state.generating = false;
      state.generatingSince = null;
      state.abort = null;
      for (const waiting of state.waiting.values()) waiting.resolve({ action: "stop" });
      state.waiting.clear();
    }
    if (outcome !== "interrupted" && dependencies.autoName) await nameIfUnnamed(conversationId, model);
  };

  const nameIfUnnamed = async (conversationId: string, model: LanguageModel) => {
    const conversation = await dependencies.store.get(conversationId);
    if (!conversation || conversation.config.chat.name) return;
    const name = await dependencies.autoName!(conversationId, model).catch(() => null);
    if (!name) return;
    await dependencies.store.rename(conversationId, name);
    const renamed = await dependencies.store.get(conversationId);
    if (renamed) publish(conversationId, { type: "config_changed", config: renamed.config, changed_fields: ["name"] });
  };

  return {
    create(conversationId, options = {}) {
      const id = randomUUID();
      const state = live(conversationId);
      state.sessions.set(id, { autoConfirm: autoConfirmCount(options.autoConfirm), createdAt: Date.now() });
      if (options.autoConfirm !== undefined) state.autoConfirm = autoConfirmCount(options.autoConfirm);
      state.lastSessionId = id;
      sessionOwners.set(id, conversationId);
      return snapshot(conversationId, id);
    },

    require: requireSession,

    state(conversationId) {
      const state = conversations.get(conversationId);
      if (!state) return { generating: false, lastError: null, pendingTools: [], sessionId: null };
      return {
        generating: state.generating,
        lastError: state.lastError,
        pendingTools: wirePending(state),
        sessionId: state.lastSessionId,
      };
    },

    isGenerating(conversationId) {
      return conversations.get(conversationId)?.generating ?? false;
    },

    async step(conversationId, options) {
      requireSession(conversationId, options.sessionId);
      const state = live(conversationId);
      if (state.generating) throw new ConflictError("Generation already in progress");
      state.generating = true;
      state.generatingSince = Date.now();
      try {
        const { model } = await resolveModel(conversationId, options.model);
        if (options.autoConfirm !== undefined) state.autoConfirm = autoConfirmCount(options.autoConfirm);
        state.lastError = null;
        state.interruptedSent = false;
        state.lastSessionId = options.sessionId;
        state.running = runGeneration(conversationId, options, model).finally(() => {
          state.running = null;
        });
      } catch (error) {
        state.generating = false;
        state.generatingSince = null;
        throw error;
      }
    },

    list() {
      const sessions: SessionInfo[] = [];
      for (const [conversationId, state] of conversations) {
        for (const [id, session] of state.sessions) {
          const drivesGeneration = state.generating && state.lastSessionId === id;
          sessions.push({
            id,
            conversationId,
            generating: drivesGeneration,
            generatingSince: drivesGeneration ? state.generatingSince : null,
            createdAt: session.createdAt,
            lastActivity: state.lastActivity,
          });
        }
      }
      return sessions;
    },

    async remove(sessionId) {
      const conversationId = sessionOwners.get(sessionId);
      const state = conversationId === undefined ? undefined : conversations.get(conversationId);
      if (conversationId === undefined || !state) return false;
      const interrupted = state.generating && state.lastSessionId === sessionId;
      if (interrupted) await this.interrupt(conversationId);
      state.sessions.delete(sessionId);
      sessionOwners.delete(sessionId);
      if (state.lastSessionId === sessionId) state.lastSessionId = [...state.sessions.keys()].at(-1) ?? null;
      return true;
    },

    async confirm(conversationId, options) {
      const actions = ["confirm", "edit", "skip", "auto"];
      if (!actions.includes(options.action)) throw new BadRequestError(`Unknown action: ${options.action}`);
      if (options.action === "edit" && (typeof options.content !== "string" || options.content.trim() === "")) {
        throw new BadRequestError("content must be a non-empty string for edit action");
      }
      if (options.action === "auto" && options.count !== undefined && (!Number.isInteger(options.count) || options.count <= 0)) {
        throw new BadRequestError("count must be a positive integer");
      }
      if (options.sessionId) requireSession(conversationId, options.sessionId);
      const state = conversations.get(conversationId);
      const waiting = state?.waiting.get(options.toolId);
      if (!state || !waiting) {
        throw new NotFoundError(`Tool ${options.toolId} no longer pending (may have been executed or cancelled)`);
      }
      switch (options.action) {
        case "edit":
          waiting.resolve({ action: "edit", content: options.content! });
          return "Tool edited";
        case "skip":
          waiting.resolve({ action: "skip" });
          return "Tool skipped";
        case "auto":
          state.autoConfirm = options.count ?? Number.POSITIVE_INFINITY;
          waiting.resolve({ action: "confirm" });
          return "Tool auto-confirmed";
        default:
          waiting.resolve({ action: "confirm" });
          return "Tool confirmed";
      }
    },

    async interrupt(conversationId, sessionId) {
      if (sessionId) requireSession(conversationId, sessionId);
      const state = conversations.get(conversationId);
      if (!state || !state.generating) return "Already interrupted or not generating";
      state.abort?.abort();
      for (const waiting of state.waiting.values()) waiting.resolve({ action: "stop" });
      const running = state.running;
      if (running) await running;
      if (!state.interruptedSent) publish(conversationId, { type: "interrupted" });
      return "Interrupted";
    },

    publish,

    async settled(conversationId) {
      const running = conversations.get(conversationId)?.running;
      if (running) await running;
    },

    subscribe(conversationId, lastEventId, listener, onClose) {
      const state = live(conversationId);
      state.listeners.add(listener);
      if (onClose) state.closers.add(onClose);
      const { events, missed } = lastEventId === null ? { events: [], missed: false } : state.buffer.after(lastEventId);
      return {
        replay: events,
        missed,
        unsubscribe: () => {
          state.listeners.delete(listener);
          if (onClose) state.closers.delete(onClose);
        },
      };
    },

    forget(conversationId) {
      const state = conversations.get(conversationId);
      if (!state) return;
      for (const id of state.sessions.keys()) sessionOwners.delete(id);
      state.abort?.abort();
      conversations.delete(conversationId);
    },

    async close() {
      clearInterval(sweeper);
      const running: Promise<void>[] = [];
      for (const state of conversations.values()) {
        state.abort?.abort();
        for (const waiting of state.waiting.values()) waiting.resolve({ action: "stop" });
        if (state.running) running.push(state.running);
        for (const close of state.closers) close();
        state.closers.clear();
        state.listeners.clear();
      }
      await Promise.allSettled(running);
    },
  };
}
