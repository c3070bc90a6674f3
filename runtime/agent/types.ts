/** What the agent loop takes and what it emits; the server's sessions and the CLI subscribe to these. */
import type { LanguageModel, Usage } from "../models/model.js";
import type { DraftStore } from "../store/drafts.js";
import type { Sandbox } from "../sandbox/types.js";
import type { ConversationStore, Message } from "../store/types.js";
import type { ToolRegistry, ToolUse } from "../tools/tool.js";

export type ToolFormat = "markdown" | "xml" | "tool";

/** A tool use waiting for a decision, as sent in `tool_pending`. */
export interface PendingTool {
  toolId: string;
  toolUse: ToolUse;
  /** gptme's wire shape `{tool, args, content}`. */
  wire: { tool: string; args: string[]; content: string };
  /** Unified diff for save/patch, else the content. */
  preview: string;
  autoConfirm: boolean;
}

export type ConfirmDecision =
  | { action: "confirm" }
  | { action: "edit"; content: string }
  /** Do not run it; the model is told and generation continues (unless `andStop`: then the run ends there). */
  | { action: "skip"; andStop?: boolean }
  /** Do not run it and stop the loop (the CLI's `n`). */
  | { action: "stop" };

/** Events in gptme's V2 vocabulary (the payload fields are gptme's, snake_case). */
export type AgentEvent =
  | { type: "generation_started" }
  | { type: "generation_progress"; token: string }
  | { type: "generation_complete"; message: Message }
  | { type: "message_added"; message: Message }
  | {
      type: "tool_pending";
      tool_id: string;
      tooluse: { tool: string; args: string[]; content: string };
      auto_confirm: boolean;
      /** Auto-confirms left after this tool: a count, or "unlimited" (absent where the caller keeps none). */
      auto_confirm_left?: AutoConfirmLeft;
      preview?: string;
    }
  | { type: "tool_executing"; tool_id: string }
  /** `partial`: raw output while the tool runs; without it, the final result message's text. */
  | { type: "tool_output"; tool_id: string; output: string; partial?: boolean }
  | { type: "tool_complete"; tool_id: string; duration_ms: number; success: boolean }
  | { type: "interrupted" }
  | { type: "error"; error: string };

/** How many more tools run without asking: a count, or "unlimited" (JSON has no Infinity). */
export type AutoConfirmLeft = number | "unlimited";

export type LoopOutcome = "done" | "stopped" | "interrupted" | "error" | "waiting";

export interface AgentLoopOptions {
  conversationId: string;
  store: ConversationStore;
  model: LanguageModel;
  tools: ToolRegistry;
  /** Prices a reply's usage (the model registry's `cost`). */
  cost: (modelId: string, usage: Usage) => number;
  toolFormat: ToolFormat;
  workspace: string;
  dataDirectory: string;
  /**
   * The conversation's sandbox, asked for at each tool use (the manager makes it on first use, and
   * a new one if the last died), so a long generation never holds on to a dead one.
   */
  sandbox: () => Sandbox;
  branch?: string;
  stream?: boolean;
  signal: AbortSignal;
  /**
   * Asked for every tool use that is not auto-confirmed; the server resolves it when the client
   * confirms. An interrupt (`signal`) stops waiting for it.
   */
  confirm: (pending: PendingTool) => Promise<ConfirmDecision>;
  /** Whether a tool use is auto-confirmed (shown as `auto_confirm` in `tool_pending`); consumed per tool. */
  takeAutoConfirm?: () => boolean;
  /** The auto-confirms left, reported in each `tool_pending` so clients can show them. */
  autoConfirmLeft?: () => AutoConfirmLeft;
  emit: (event: AgentEvent) => void;
  /** Where the reply being streamed is kept until it is stored (crash recovery); none: not kept. */
  drafts?: DraftStore;
  /** Start by running the tool uses of the last assistant message again (gptme's rerun), then go on. */
  rerunLastReply?: boolean;
  /** Maximum model turns in one run (a guard against endless tool loops). */
  maxTurns?: number;
  /**
   * MCP hook (runtime/mcp/loop-hook.ts): awaited before each model turn (the first one starts the
   * conversation's MCP servers); its system messages are sent after the system prompt, not stored.
   */
  beforeTurn?: () => Promise<TurnPreparation | void>;
}

export interface TurnPreparation {
  /** Sent after the stored system prompt on this turn only (e.g. the MCP tools' descriptions). */
  systemMessages?: Message[];
}
