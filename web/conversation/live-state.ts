/**
 * The conversation view's state as a pure reducer over server events, so reconnects, replays and
 * log refetches can be reasoned about (and tested) without a browser.
 */
import type { AutoConfirmLeft, ChatConfig, ConversationDetail, ElicitPending, Message, PendingToolWire, ServerEvent, ToolUse } from "../api/types.js";

export type ToolStatus = "pending" | "submitting" | "queued" | "executing";

export interface ToolCard {
  toolId: string;
  tooluse: ToolUse;
  autoConfirm: boolean;
  preview?: string;
  status: ToolStatus;
  output: string;
}

export interface LiveState {
  messages: Message[];
  name: string;
  /** Assistant text streamed so far; null when no reply is being streamed. */
  streaming: string | null;
  generating: boolean;
  /** A step was requested and no generation has started yet. */
  stepPending: boolean;
  tools: ToolCard[];
  error: string | null;
  model: string | null;
  sessionId: string | null;
  connected: boolean;
  /** Bumped whenever the log should be fetched again (server asked, or an interrupt left a partial reply). */
  reloadRequests: number;
  /** Keys of messages that arrived as events since the last log load (kept if the load's snapshot predates them). */
  liveKeys: string[];
  /** Tools that will still run without asking, as the server last said (0: auto-confirm is off). */
  autoConfirmLeft: AutoConfirmLeft;
  /** Questions the agent asked that wait for the user (`elicit_pending`). */
  elicitations: ElicitPending[];
  /** Bumped when an MCP server's state or the MCP config changed (the servers panel reloads). */
  mcpChanges: number;
}

export type LiveAction =
  | { type: "log_loaded"; conversation: ConversationDetail }
  | { type: "config_loaded"; config: ChatConfig }
  | { type: "server_event"; event: ServerEvent }
  | { type: "disconnected" }
  | { type: "step_requested" }
  | { type: "tool_submitting"; toolId: string }
  /** The server accepted a decision: a skipped tool is gone, others wait for `tool_executing`. */
  | { type: "tool_decided"; toolId: string; skipped: boolean }
  | { type: "request_failed"; error: string; toolId?: string }
  | { type: "error_dismissed" }
  /** The server's answer to a decision or to turning auto-confirm off. */
  | { type: "auto_confirm_changed"; left: AutoConfirmLeft }
  /** The user answered (or the server no longer knows) a question. */
  | { type: "elicitation_answered"; elicitId: string };

export function initialLiveState(name = ""): LiveState {
  return {
    messages: [],
    name,
    streaming: null,
    generating: false,
    stepPending: false,
    tools: [],
    error: null,
    model: null,
    sessionId: null,
    connected: false,
    reloadRequests: 0,
    liveKeys: [],
    autoConfirmLeft: 0,
    elicitations: [],
    mcpChanges: 0,
  };
}

export function messageKey(message: Message): string {
  return `${message.role}\u0000${message.timestamp ?? ""}\u0000${message.content}`;
}

function toolCard(wire: PendingToolWire, previous?: ToolCard): ToolCard {
  return {
    toolId: wire.tool_id,
    tooluse: wire.tooluse,
    autoConfirm: wire.auto_confirm,
    preview: wire.preview,
    status: previous?.status === "submitting" ? "submitting" : wire.auto_confirm ? "queued" : "pending",
    output: previous?.output ?? "",
  };
}

function addMessage(state: LiveState, message: Message): LiveState {
  const key = messageKey(message);
  const known = message.timestamp
    ? state.messages.some((existing) => messageKey(existing) === key)
    : state.messages.length > 0 && messageKey(state.messages[state.messages.length - 1]) === key;
  if (known) return state;
  return { ...state, messages: [...state.messages, message], liveKeys: [...state.liveKeys, key] };
}

function updateTool(state: LiveState, toolId: string, change: (tool: ToolCard) => ToolCard | null): LiveState {
  const tools: ToolCard[] = [];
  for (const tool of state.tools) {
    const next = tool.toolId === toolId ? change(tool) : tool;
    if (next) tools.push(next);
  }
  return { ...state, tools };
}

function mergeLog(state: LiveState, log: Message[]): Message[] {
  const logKeys = new Set(log.map(messageKey));
  const live = new Set(state.liveKeys);
  const newer = state.messages.filter((message) => {
    const key = messageKey(message);
    return live.has(key) && !logKeys.has(key);
  });
  return [...log, ...newer];
}

/** A server `error` that tells the client its view is stale (replay window passed, session lost). */
export function asksForReload(event: { error: string; reload?: boolean }): boolean {
  return event.reload === true || /\breload\b|\brefetch\b|too far behind/i.test(event.error);
}

function applyEvent(state: LiveState, event: ServerEvent): LiveState {
  switch (event.type) {
    case "connected": {
      const generating = event.generating ?? state.generating;
      const previous = new Map(state.tools.map((tool) => [tool.toolId, tool]));
      const tools = event.pending_tools
        ? event.pending_tools.map((wire) => toolCard(wire, previous.get(wire.tool_id)))
        : state.tools;
      // A stale partial reply is cleared by the log refetch that follows every connect, not here:
      // replayed tokens may still be on their way.
      const autoConfirmLeft = event.auto_confirm_left ?? state.autoConfirmLeft;
      const elicitations = event.pending_elicitations ?? state.elicitations;
      return { ...state, sessionId: event.session_id, connected: true, generating, tools, autoConfirmLeft, elicitations };
    }
    case "ping":
      return state;
    case "message_added": {
      const next = addMessage(state, event.message);
      return event.message.role === "assistant" ? { ...next, streaming: null } : next;
    }
    case "generation_started":
      return {
        ...state,
        generating: true,
        stepPending: false,
        streaming: "",
        error: null,
        tools: state.tools.filter((tool) => tool.status === "pending"),
      };
    case "generation_progress":
      return { ...state, generating: true, stepPending: false, streaming: (state.streaming ?? "") + event.token };
    case "generation_complete": {
      const next = event.message ? addMessage(state, event.message) : state;
      return { ...next, generating: false, streaming: null };
    }
    case "tool_pending": {
      const existing = state.tools.find((tool) => tool.toolId === event.tool_id);
      const card = toolCard(event, existing);
      const tools = existing
        ? state.tools.map((tool) => (tool.toolId === event.tool_id ? card : tool))
        : [...state.tools, card];
      return { ...state, tools, autoConfirmLeft: event.auto_confirm_left ?? state.autoConfirmLeft };
    }
    case "tool_executing":
      return updateTool(state, event.tool_id, (tool) => ({ ...tool, status: "executing" }));
    case "tool_output":
      // Partial chunks accumulate while the tool runs; the final result replaces them.
      return updateTool(state, event.tool_id, (tool) => ({
        ...tool,
        output: event.partial ? tool.output + event.output : event.output,
      }));
    case "tool_complete":
      return updateTool(state, event.tool_id, () => null);
    case "elicit_pending": {
      const { type: _type, ...question } = event;
      if (state.elicitations.some((known) => known.elicit_id === question.elicit_id)) return state;
      return { ...state, elicitations: [...state.elicitations, question] };
    }
    case "mcp_server_status":
      return { ...state, mcpChanges: state.mcpChanges + 1 };
    case "interrupted":
      return {
        ...state,
        elicitations: [],
        generating: false,
        stepPending: false,
        tools: [],
        reloadRequests: state.streaming ? state.reloadRequests + 1 : state.reloadRequests,
      };
    case "error":
      // A reload request is handled by reloading; showing it would only alarm the user.
      if (asksForReload(event)) return { ...state, reloadRequests: state.reloadRequests + 1 };
      return {
        ...state,
        error: event.error,
        generating: false,
        stepPending: false,
        reloadRequests: state.streaming ? state.reloadRequests + 1 : state.reloadRequests,
      };
    case "config_changed":
      return {
        ...state,
        mcpChanges: event.changed_fields?.includes("mcp") ? state.mcpChanges + 1 : state.mcpChanges,
        name: event.config?.chat?.name ?? state.name,
        model: event.config?.chat?.model || state.model,
      };
    default:
      return state;
  }
}

export function liveReducer(state: LiveState, action: LiveAction): LiveState {
  switch (action.type) {
    case "log_loaded": {
      const messages = mergeLog(state, action.conversation.log);
      const settled = !state.generating;
      return {
        ...state,
        messages,
        name: action.conversation.name || state.name,
        streaming: settled ? null : state.streaming,
        liveKeys: [],
      };
    }
    case "config_loaded":
      return { ...state, model: action.config.chat?.model || null, name: action.config.chat?.name || state.name };
    case "server_event":
      return applyEvent(state, action.event);
    case "disconnected":
      return { ...state, connected: false };
    case "step_requested":
      return { ...state, stepPending: true, error: null };
    case "tool_submitting":
      return updateTool(state, action.toolId, (tool) => ({ ...tool, status: "submitting" }));
    case "tool_decided":
      return updateTool(state, action.toolId, (tool) =>
        action.skipped ? null : tool.status === "submitting" ? { ...tool, status: "queued" } : tool,
      );
    case "request_failed": {
      const failed = { ...state, error: action.error, stepPending: false };
      return action.toolId ? updateTool(failed, action.toolId, (tool) => ({ ...tool, status: "pending" })) : failed;
    }
    case "error_dismissed":
      return { ...state, error: null };
    case "auto_confirm_changed":
      return { ...state, autoConfirmLeft: action.left };
    case "elicitation_answered":
      return { ...state, elicitations: state.elicitations.filter((question) => question.elicit_id !== action.elicitId) };
  }
}

/** Hidden messages stay in the log (the model sees them) but are shown only on request. */
export function visibleMessages(messages: Message[], showHidden: boolean): Message[] {
  return showHidden ? messages : messages.filter((message) => !message.hide);
}
