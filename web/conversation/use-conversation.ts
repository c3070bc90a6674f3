/** Connects a conversation view to the server: the log, the live event stream, and the user's actions. */
import { useCallback, useEffect, useReducer, useRef, useState } from "preact/hooks";
import { announceUnauthorized, ApiError } from "../api/client.js";
import { appendMessage, fetchConfig, fetchConversation, renameConversation } from "../api/conversations.js";
import { respondElicitation, type ElicitationReply } from "../api/mcp.js";
import { confirmTool, interrupt as interruptSession, startStep, stopAutoConfirm, type ToolDecision } from "../api/session.js";
import { ConversationEventStream } from "./event-stream.js";
import { initialLiveState, liveReducer, type LiveState } from "./live-state.js";

export interface ConversationOptions {
  /** The session created with the conversation (PUT), so the first step needs no extra round trip. */
  sessionId?: string;
  /** Start a step as soon as the stream is connected, with this model ("" = server default). */
  stepOnConnect?: string | null;
}

export interface ConversationController {
  state: LiveState;
  /** Set when the conversation was deleted or never existed. */
  gone: string | null;
  send(content: string, model: string): Promise<boolean>;
  decideTool(toolId: string, decision: ToolDecision): Promise<void>;
  /** Turns auto-confirm off on the server. */
  stopAutoConfirming(): Promise<void>;
  interrupt(): Promise<void>;
  /** Throws on failure so the rename form can stay open with the error. */
  rename(name: string): Promise<void>;
  dismissError(): void;
  /** Answers a question the agent asked; a question the server no longer has is dropped with the error. */
  answerElicitation(elicitId: string, reply: ElicitationReply): Promise<void>;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function useConversation(conversationId: string, options: ConversationOptions = {}): ConversationController {
  const [state, dispatch] = useReducer(liveReducer, undefined, () => initialLiveState());
  const [gone, setGone] = useState<string | null>(null);
  const streamRef = useRef<ConversationEventStream | null>(null);
  const stepOnConnect = useRef(options.stepOnConnect ?? null);
  const waitingForSession = useRef<Array<(sessionId: string) => void>>([]);

  const loadLog = useCallback(async () => {
    try {
      dispatch({ type: "log_loaded", conversation: await fetchConversation(conversationId) });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) setGone("This conversation no longer exists.");
      else if (!(error instanceof ApiError && error.unauthorized)) dispatch({ type: "request_failed", error: describe(error) });
    }
  }, [conversationId]);

  const requestStep = useCallback(
    async (sessionId: string, model: string) => {
      dispatch({ type: "step_requested" });
      try {
        await startStep(conversationId, sessionId, model);
      } catch (error) {
        dispatch({ type: "request_failed", error: describe(error) });
      }
    },
    [conversationId],
  );

  useEffect(() => {
    fetchConfig(conversationId)
      .then((config) => dispatch({ type: "config_loaded", config }))
      .catch(() => undefined);
    const stream = new ConversationEventStream(conversationId, options.sessionId ?? null, {
      onEvent(event) {
        dispatch({ type: "server_event", event });
        if (event.type !== "connected") return;
        // Every (re)connect may have missed messages: the log is the source of truth, events are merged on top.
        void loadLog();
        for (const resolve of waitingForSession.current.splice(0)) resolve(event.session_id);
        if (stepOnConnect.current !== null) {
          const model = stepOnConnect.current;
          stepOnConnect.current = null;
          void requestStep(event.session_id, model);
        }
      },
      onDisconnected: () => dispatch({ type: "disconnected" }),
      onUnauthorized: announceUnauthorized,
      onGone: setGone,
    });
    streamRef.current = stream;
    stream.start();
    return () => {
      stream.close();
      streamRef.current = null;
    };
    // The session id and first step belong to the conversation's first mount only.
  }, [conversationId, loadLog, requestStep]);

  useEffect(() => {
    if (state.reloadRequests > 0) void loadLog();
  }, [state.reloadRequests, loadLog]);

  const session = useCallback((): Promise<string> => {
    const current = streamRef.current?.session;
    if (current && state.connected) return Promise.resolve(current);
    return new Promise((resolve) => waitingForSession.current.push(resolve));
  }, [state.connected]);

  const send = useCallback(
    async (content: string, model: string): Promise<boolean> => {
      dispatch({ type: "step_requested" });
      try {
        await appendMessage(conversationId, { role: "user", content });
      } catch (error) {
        dispatch({ type: "request_failed", error: describe(error) });
        return false;
      }
      await requestStep(await session(), model);
      return true;
    },
    [conversationId, requestStep, session],
  );

  const decideTool = useCallback(
    async (toolId: string, decision: ToolDecision) => {
      dispatch({ type: "tool_submitting", toolId });
      try {
        const answer = await confirmTool(conversationId, await session(), toolId, decision);
        dispatch({ type: "tool_decided", toolId, skipped: decision.action === "skip" });
        if (answer?.auto_confirm_left !== undefined) dispatch({ type: "auto_confirm_changed", left: answer.auto_confirm_left });
      } catch (error) {
        dispatch({ type: "request_failed", error: describe(error), toolId });
      }
    },
    [conversationId, session],
  );

  const stopAutoConfirming = useCallback(async () => {
    try {
      const answer = await stopAutoConfirm(conversationId, await session());
      dispatch({ type: "auto_confirm_changed", left: answer?.auto_confirm_left ?? 0 });
    } catch (error) {
      dispatch({ type: "request_failed", error: describe(error) });
    }
  }, [conversationId, session]);

  const interrupt = useCallback(async () => {
    const sessionId = streamRef.current?.session;
    if (!sessionId) return;
    try {
      await interruptSession(conversationId, sessionId);
    } catch (error) {
      dispatch({ type: "request_failed", error: describe(error) });
    }
  }, [conversationId]);

  const rename = useCallback(
    async (name: string) => {
      await renameConversation(conversationId, name);
      dispatch({ type: "server_event", event: { type: "config_changed", config: { chat: { name } }, changed_fields: ["name"] } });
    },
    [conversationId],
  );

  const dismissError = useCallback(() => dispatch({ type: "error_dismissed" }), []);

  const answerElicitation = useCallback(
    async (elicitId: string, reply: ElicitationReply) => {
      try {
        await respondElicitation(conversationId, elicitId, reply);
      } catch (error) {
        dispatch({ type: "request_failed", error: describe(error) });
        if (!(error instanceof ApiError && error.status === 404)) return;
      }
      dispatch({ type: "elicitation_answered", elicitId });
    },
    [conversationId],
  );

  return { state, gone, send, decideTool, stopAutoConfirming, interrupt, rename, dismissError, answerElicitation };
}
