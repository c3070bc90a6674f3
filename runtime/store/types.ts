/** The conversation domain as stored: messages, configs, list entries, and the store contract. */

export type Role = "system" | "user" | "assistant";

/** One message of a conversation log, in gptme's `Message.to_dict()` shape. */
export interface Message {
  role: Role;
  content: string;
  /** ISO 8601 timestamp. */
  timestamp: string;
  files?: string[];
  pinned?: boolean;
  hide?: boolean;
  call_id?: string;
  metadata?: MessageMetadata;
}

/** Usage and cost of one assistant reply (gptme v0.31's flat metadata shape). */
export interface MessageMetadata {
  model?: string;
  input_tokens?: number;
  output_tokens?: number;
  cache_read_tokens?: number;
  cache_creation_tokens?: number;
  cost?: number;
  [key: string]: unknown;
}

/** gptme's ChatConfig as a dict: `{chat: {...}, env: {...}, mcp?: {...}}`. */
export interface ChatConfig {
  chat: ChatSettings;
  env: Record<string, string>;
  mcp?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ChatSettings {
  name?: string;
  model?: string;
  tools?: string[];
  tool_format?: "markdown" | "xml" | "tool";
  stream?: boolean;
  interactive?: boolean;
  workspace?: string;
  agent?: string;
  [key: string]: unknown;
}

/** A conversation's list entry: everything needed without reading its messages. */
export interface ConversationSummary {
  id: string;
  name: string;
  /** Epoch seconds. */
  created: number;
  /** Epoch seconds. */
  modified: number;
  messageCount: number;
  branchCount: number;
  workspace: string;
  lastMessageRole: Role | null;
  lastMessagePreview: string;
  totalCost: number;
  totalInputTokens: number;
  totalOutputTokens: number;
  /** Opening words of the first user message: what a list shows until the conversation is named. */
  firstUserMessagePreview: string;
  /** With a search query: the matched part of a message's text, or null when only id/name matched. */
  searchSnippet?: string | null;
}

export interface Conversation extends ConversationSummary {
  config: ChatConfig;
  /** Grows with every write to the conversation (any branch, config, name): what its ETag is made of. */
  version: number;
}

export interface ListOptions {
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  /**
   * Case-insensitive substring over id, name, the two previews and the text of every visible
   * message; results stay newest first (cursors work as without it) and carry `searchSnippet`.
   * SQLite answers it from an FTS5 trigram index, PostgreSQL would from pg_trgm.
   */
  query?: string;
}

export interface ConversationPage {
  items: ConversationSummary[];
  nextCursor: string | null;
}

export interface NewConversation {
  id: string;
  name?: string;
  config: ChatConfig;
  workspace: string;
  messages: Message[];
  /** Epoch seconds; defaults to now. */
  created?: number;
}

/**
 * The store as handlers and the runtime see it. Every method returns a promise so that an
 * asynchronous SQLite (Cloudflare D1, libSQL) can stand behind the same interface.
 */
export interface ConversationStore {
  list(options: ListOptions): Promise<ConversationPage>;
  get(id: string): Promise<Conversation | null>;
  /** Throws `ConflictError` when the id exists. */
  create(conversation: NewConversation): Promise<void>;
  messages(id: string, branch?: string): Promise<Message[]>;
  /** All branches, `main` first. */
  branches(id: string): Promise<Record<string, Message[]>>;
  /** Every branch's message count, `main` first (0 when empty), without reading any message. */
  branchLengths(id: string): Promise<Record<string, number>>;
  /** The messages of a branch at positions `start` (inclusive) to `end` (exclusive). */
  messageRange(id: string, branch: string, start: number, end: number): Promise<Message[]>;
  /** Appends to a branch (created if missing for non-main), returns the new branch length. Throws `NotFoundError`. */
  append(id: string, messages: Message[], branch?: string): Promise<number>;
  /** Replaces a whole branch (undo, edits, prompt regeneration). */
  replaceMessages(id: string, messages: Message[], branch?: string): Promise<void>;
  /** Merges into the stored config; also keeps `name`/`workspace` columns in step. */
  updateConfig(id: string, config: ChatConfig): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Changes whenever any conversation changes, by this process or another one sharing the database. */
  changeToken(): Promise<string>;
  close(): Promise<void>;
}
