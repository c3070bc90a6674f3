/** SQL for the conversations table: list entries and counters kept on the row, so listing never scans messages. */
import type { Database, Statement } from "better-sqlite3";
import type { ChatConfig, Conversation, ConversationSummary, Message, Role } from "../types.js";

export interface ConversationRow {
  id: string;
  name: string;
  created: number;
  modified: number;
  config: string;
  workspace: string;
  message_count: number;
  branch_count: number;
  last_message_role: string | null;
  last_message_preview: string;
  total_cost: number;
  total_input_tokens: number;
  total_output_tokens: number;
  first_user_message_preview: string;
  version?: number;
}

const summaryColumns =
  "id, name, created, modified, workspace, message_count, branch_count, last_message_role, " +
  "last_message_preview, total_cost, total_input_tokens, total_output_tokens, first_user_message_preview";

export function rowToSummary(row: Omit<ConversationRow, "config">): ConversationSummary {
  return {
    id: row.id,
    name: row.name,
    created: row.created,
    modified: row.modified,
    messageCount: row.message_count,
    branchCount: row.branch_count,
    workspace: row.workspace,
    lastMessageRole: (row.last_message_role as Role | null) ?? null,
    lastMessagePreview: row.last_message_preview,
    totalCost: row.total_cost,
    totalInputTokens: row.total_input_tokens,
    totalOutputTokens: row.total_output_tokens,
    firstUserMessagePreview: row.first_user_message_preview,
  };
}

export function rowToConversation(row: ConversationRow): Conversation {
  return { ...rowToSummary(row), config: JSON.parse(row.config) as ChatConfig, version: row.version ?? 0 };
}

export function previewOf(message: Message | undefined): string {
  if (!message) return "";
  return message.content
    .replace(/<think>[\s\S]*?<\/think>/g, "")
    .trim()
    .slice(0, 100);
}

/** The totals a batch of messages adds to its conversation's row. */
export function totalsOf(messages: Message[]): { cost: number; input: number; output: number } {
  let cost = 0;
  let input = 0;
  let output = 0;
  for (const message of messages) {
    const metadata = message.metadata;
    if (!metadata) continue;
    cost += typeof metadata.cost === "number" ? metadata.cost : 0;
    input += typeof metadata.input_tokens === "number" ? metadata.input_tokens : 0;
    output += typeof metadata.output_tokens === "number" ? metadata.output_tokens : 0;
  }
  return { cost, input, output };
}

export class ConversationRows {
  readonly selectOne: Statement<[string], ConversationRow>;
  readonly exists: Statement<[string], { id: string }>;
  readonly insert: Statement<unknown[]>;
  readonly afterAppend: Statement<unknown[]>;
  readonly afterReplace: Statement<unknown[]>;
  readonly setConfig: Statement<[string, string, string, number, string]>;
  readonly setName: Statement<[string, string, number, string]>;
  readonly setBranchCount: Statement<[number, string]>;
  /** Only while unset: the first user message ever stored names the conversation in lists. */
  readonly setOpeningWordsIfUnset: Statement<[string, string]>;
  readonly setOpeningWords: Statement<[string, string]>;
  readonly remove: Statement<[string]>;
  readonly bumpVersion: Statement<[string]>;
  readonly firstPage: Statement<[number], ConversationRow>;
  readonly nextPage: Statement<[number, number, string, number], ConversationRow>;

  constructor(database: Database) {
    this.selectOne = database.prepare("SELECT * FROM conversations WHERE id = ?");
    this.exists = database.prepare("SELECT id FROM conversations WHERE id = ?");
    this.insert = database.prepare(
      `INSERT INTO conversations (id, name, created, modified, config, workspace, message_count,
         last_message_role, last_message_preview, total_cost, total_input_tokens, total_output_tokens)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.afterAppend = database.prepare(
      `UPDATE conversations SET modified = ?, message_count = ?, last_message_role = ?, last_message_preview = ?,
         total_cost = total_cost + ?, total_input_tokens = total_input_tokens + ?,
         total_output_tokens = total_output_tokens + ? WHERE id = ?`,
    );
    this.afterReplace = database.prepare(
      `UPDATE conversations SET modified = ?, message_count = ?, last_message_role = ?, last_message_preview = ?,
         total_cost = ?, total_input_tokens = ?, total_output_tokens = ? WHERE id = ?`,
    );
    this.setConfig = database.prepare(
      "UPDATE conversations SET config = ?, name = ?, workspace = ?, modified = ? WHERE id = ?",
    );
    this.setName = database.prepare(
      "UPDATE conversations SET name = ?, config = json_set(config, '$.chat.name', ?), modified = ? WHERE id = ?",
    );
    this.setBranchCount = database.prepare("UPDATE conversations SET branch_count = ? WHERE id = ?");
    this.setOpeningWordsIfUnset = database.prepare(
      "UPDATE conversations SET first_user_message_preview = ? WHERE id = ? AND first_user_message_preview = ''",
    );
    this.setOpeningWords = database.prepare("UPDATE conversations SET first_user_message_preview = ? WHERE id = ?");
    this.remove = database.prepare("DELETE FROM conversations WHERE id = ?");
    this.bumpVersion = database.prepare("UPDATE conversations SET version = version + 1 WHERE id = ?");
    this.firstPage = database.prepare(
      `SELECT ${summaryColumns} FROM conversations ORDER BY modified DESC, id DESC LIMIT ?`,
    );
    this.nextPage = database.prepare(
      `SELECT ${summaryColumns} FROM conversations WHERE modified < ? OR (modified = ? AND id < ?)
       ORDER BY modified DESC, id DESC LIMIT ?`,
    );
  }
}

export const conversationSummaryColumns = summaryColumns;
