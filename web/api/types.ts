/** The V2 wire shapes the web client reads and sends (gptme's names, snake_case). */

export type Role = "system" | "user" | "assistant";

export interface MessageMetadata {
  model?: string;
  input_tokens?: number;
  output_tokens?: number;
  cache_read_tokens?: number;
  cache_creation_tokens?: number;
  cost?: number;
  [key: string]: unknown;
}

export interface Message {
  role: Role;
  content: string;
  timestamp?: string;
  files?: string[];
  hide?: boolean;
  pinned?: boolean;
  call_id?: string;
  metadata?: MessageMetadata;
}

export interface ConversationSummary {
  id: string;
  name: string;
  /** Epoch seconds. */
  modified: number;
  messages: number;
  /** Opening words of the first user message (newer servers): the title until the conversation is named. */
  first_user_message_preview?: string;
  /** With a search: the matched text of a message, or null when only the id or name matched. */
  search_snippet?: string | null;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  next_cursor: string | null;
}

export interface ConversationDetail {
  id: string;
  name: string;
  log: Message[];
}

export interface ChatConfig {
  chat: { name?: string; model?: string; workspace?: string; stream?: boolean; [key: string]: unknown };
  env?: Record<string, string>;
  [key: string]: unknown;
}

export interface ToolUse {
  tool: string;
  args: string[];
  content: string;
}

/** How many more tools run without asking (newer servers): a count, or "unlimited". */
export type AutoConfirmLeft = number | "unlimited";

export interface PendingToolWire {
  tool_id: string;
  tooluse: ToolUse;
  auto_confirm: boolean;
  auto_confirm_left?: AutoConfirmLeft;
  preview?: string;
}

export type ServerEvent =
  | {
      type: "connected";
      session_id: string;
      generating?: boolean;
      pending_tools?: PendingToolWire[];
      last_error?: string | null;
      auto_confirm_left?: AutoConfirmLeft;
      pending_elicitations?: ElicitPending[];
    }
  | { type: "ping" }
  | { type: "message_added"; message: Message }
  | { type: "generation_started" }
  | { type: "generation_progress"; token: string }
  | { type: "generation_complete"; message?: Message }
  | ({ type: "tool_pending" } & PendingToolWire)
  | { type: "tool_executing"; tool_id: string }
  | { type: "tool_output"; tool_id: string; output: string; partial?: boolean }
  | { type: "tool_complete"; tool_id: string; duration_ms?: number; success?: boolean }
  | { type: "interrupted" }
  | { type: "error"; error: string; reload?: boolean }
  | { type: "config_changed"; config: ChatConfig; changed_fields?: string[] }
  | ({ type: "elicit_pending" } & ElicitPending)
  | { type: "mcp_server_status"; server: McpServerStatus };

/** A question the agent (a tool or an MCP server) asks; answered with `elicit/respond`. */
export interface ElicitPending {
  elicit_id: string;
  elicit_type: "text" | "choice" | "multi_choice" | "secret" | "confirmation" | "form";
  prompt: string;
  options?: string[];
  fields?: Array<{ name: string; prompt: string; type: string; options: string[] | null; required: boolean; default: string | null }>;
  default?: string;
  description?: string;
}

export interface McpServerStatus {
  name: string;
  transport: "stdio" | "http";
  source: { layer: "user" | "project" | "conversation"; files: string[] };
  target: string;
  state: "stopped" | "starting" | "running" | "failed" | "needs-approval" | "disabled";
  loaded: boolean;
  needsApproval: boolean;
  approved: boolean;
  tools: string[];
  error?: string;
}

/** `GET /api/v2/conversations/<id>/mcp` (this server's own route). */
export interface McpOverview {
  enabled: boolean;
  error: string | null;
  servers: McpServerStatus[];
}

export interface ModelEntry {
  id: string;
  provider?: string;
  model?: string;
  price_input?: number;
  price_output?: number;
}

export interface ModelList {
  models: ModelEntry[];
  default: string | null;
}

/** Where the agent's tools run, as `GET /api/v2` reports it (absent on older servers). */
export interface SandboxReport {
  backend: "bwrap" | "container" | "user" | "none" | string;
  isolated: boolean;
  isolates: string[];
  limits: { available: boolean; detail: string };
  network: "on" | "none" | string;
  warning: string | null;
}

export interface ServerInfo {
  message?: string;
  version?: string;
  provider_configured?: boolean;
  /** false when the server runs with auth disabled: there is nothing to sign out of. */
  auth_required?: boolean;
  sandbox?: SandboxReport;
}

export interface WorkspaceEntry {
  name: string;
  path: string;
  type: "file" | "directory";
  size: number;
  modified: string;
  mime_type: string | null;
}

export type FilePreviewResult =
  | { type: "text"; content: string; truncated?: boolean }
  | { type: "binary"; metadata: WorkspaceEntry }
  | { type: "image"; url: string };

export type ToolAction = "confirm" | "edit" | "skip" | "auto";
