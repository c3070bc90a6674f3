/** Live generation state per conversation, as the handlers see it. */
import type { AgentEvent, AutoConfirmLeft } from "../agent/types.js";
import type { McpServerStatus } from "../mcp/status.js";
import type { ChatConfig, Message } from "../store/types.js";

/** Events on the wire: the agent's, plus the server's own. */
export type SessionEvent =
  | AgentEvent
  | {
      type: "connected";
      session_id: string;
      generating: boolean;
      last_error: string | null;
      pending_tools: WirePendingTool[];
      auto_confirm_left: AutoConfirmLeft;
      /** Questions the agent asked that are still unanswered (their `elicit_pending` events). */
      pending_elicitations?: ElicitPendingEvent[];
    }
  | { type: "ping" }
  | { type: "config_changed"; config: ChatConfig; changed_fields: string[] }
  /** A message was edited or deleted: the new main branch and every branch, as gptme HEAD sends them. */
  | { type: "conversation_edited"; index: number; truncated: boolean; log: Message[]; branches: Record<string, Message[]> }
  /** One of the conversation's MCP servers changed state (started, failed, stopped, needs approval). */
  | { type: "mcp_server_status"; server: McpServerStatus }
  /** A command's report, shown to clients but not kept in the log (`stored: false`). */
  | { type: "message_added"; message: Message; stored: false }
  | ElicitPendingEvent;

/** gptme's `elicit_pending`: the agent (a tool or an MCP server) asks the user; answer with `elicit/respond`. */
export interface ElicitPendingEvent {
  type: "elicit_pending";
  elicit_id: string;
  elicit_type: "text" | "choice" | "multi_choice" | "secret" | "confirmation" | "form";
  prompt: string;
  options?: string[];
  fields?: Array<{ name: string; prompt: string; type: string; options: string[] | null; required: boolean; default: string | null }>;
  default?: string;
  description?: string;
}

export interface WirePendingTool {
  tool_id: string;
  tooluse: { tool: string; args: string[]; content: string };
  auto_confirm: boolean;
  preview?: string;
}

/** An event with its position in the conversation's stream (the SSE `id:`). */
export interface NumberedEvent {
  id: number;
  event: SessionEvent;
}

export interface StepOptions {
  sessionId: string;
  model?: string;
  stream?: boolean;
  branch?: string;
  autoConfirm?: boolean | number;
  /** Run the last reply's tool uses again before generating (gptme's rerun). */
  rerun?: boolean;
}

export interface ConfirmOptions {
  sessionId?: string;
  toolId: string;
  action: "confirm" | "edit" | "skip" | "auto";
  content?: string;
  count?: number;
}

export interface SessionSnapshot {
  id: string;
  conversationId: string;
  generating: boolean;
  lastError: string | null;
  pendingTools: WirePendingTool[];
}

/** A session as the admin views list it (`GET /api/v2/sessions`, server health). */
export interface SessionInfo {
  id: string;
  conversationId: string;
  /** True for the session whose step started the running generation. */
  generating: boolean;
  /** Epoch ms. */
  generatingSince: number | null;
  createdAt: number;
  lastActivity: number;
}

export interface SessionManager {
  /** A new session on a conversation; `autoConfirm` as in PUT (true → unlimited, N → N tools). */
  create(conversationId: string, options?: { autoConfirm?: boolean | number }): SessionSnapshot;
  /** Throws NotFoundError / ForbiddenError (session of another conversation). */
  require(conversationId: string, sessionId: string): SessionSnapshot;
  state(conversationId: string): {
    generating: boolean;
    lastError: string | null;
    pendingTools: WirePendingTool[];
    sessionId: string | null;
    autoConfirmLeft: AutoConfirmLeft;
  };
  isGenerating(conversationId: string): boolean;
  /** Starts a generation in the background; 409 when one is running. */
  step(conversationId: string, options: StepOptions): Promise<void>;
  confirm(conversationId: string, options: ConfirmOptions): Promise<string>;
  /**
   * Sets how many tools run without asking (`false`/0 turns auto-confirm off, `true` is unlimited),
   * at any time, also mid-generation; returns what is left.
   */
  setAutoConfirm(conversationId: string, value: boolean | number, sessionId?: string): AutoConfirmLeft;
  /**
   * Runs the tool uses of the last assistant message again (gptme's rerun), as a step that starts
   * with them. 409 while generating; 400 without an assistant message or tool uses. Resolves with
   * how many tool uses will run.
   */
  rerun(conversationId: string, sessionId: string): Promise<number>;
  interrupt(conversationId: string, sessionId?: string): Promise<string>;
  /**
   * Before a new user message: skips the tool uses waiting for a decision (recorded as the Skip
   * button records them) and ends the generation without a new step. ConflictError while the
   * model streams or a tool runs.
   */
  skipPendingTools(conversationId: string): Promise<void>;
  /** Before deleting the conversation: cancels the tool uses waiting for a decision. ConflictError while the model streams or a tool runs. */
  cancelPendingTools(conversationId: string): Promise<void>;
  /** Broadcasts an event (persist first!) to every client of the conversation. */
  publish(conversationId: string, event: SessionEvent): void;
  /**
   * Subscribes to a conversation's events after `lastEventId`; replays what the buffer still holds.
   * `missed` is true when the buffer no longer reaches back that far.
   */
  subscribe(
    conversationId: string,
    lastEventId: number | null,
    listener: (event: NumberedEvent) => void,
    /** Called when the server shuts down, so the stream can end. */
    onClose?: () => void,
  ): { replay: NumberedEvent[]; missed: boolean; unsubscribe: () => void };
  /** Resolves when the conversation's current generation (and its tool chain) has finished. */
  settled(conversationId: string): Promise<void>;
  /** Every live session of every conversation. */
  list(): SessionInfo[];
  /** Ends a session (interrupting the generation it started); false when there is no such session. */
  remove(sessionId: string): Promise<boolean>;
  /** Drops the conversation's sessions (on delete). */
  forget(conversationId: string): void;
  /** Interrupts every generation and waits for them to settle (shutdown). */
  close(): Promise<void>;
}
