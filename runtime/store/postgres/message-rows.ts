/** SQL for the messages table on PostgreSQL: a batch is one INSERT (unnest), a branch one SELECT. */
import type { Message, MessageMetadata, Role } from "../types.js";
import type { Queryable } from "./database.js";

/**
 * PostgreSQL text cannot hold NUL (SQLite can, and a tool's output may carry one): such a text is
 * stored as its JSON string with encoding 1, so it reads back exactly; search still finds its words.
 */
export function encodeText(text: string): { text: string; encoding: number } {
  return text.includes("\u0000") ? { text: JSON.stringify(text), encoding: 1 } : { text, encoding: 0 };
}

export function decodeText(text: string, encoding: number): string {
  return encoding === 1 ? (JSON.parse(text) as string) : text;
}

interface MessageRow {
  branch: string;
  position: number;
  role: string;
  content: string;
  content_encoding: number;
  timestamp: string;
  files: string | null;
  pinned: boolean;
  hide: boolean;
  call_id: string | null;
  metadata: string | null;
}

function rowToMessage(row: MessageRow): Message {
  const message: Message = { role: row.role as Role, content: decodeText(row.content, row.content_encoding), timestamp: row.timestamp };
  if (row.files) message.files = JSON.parse(row.files) as string[];
  if (row.pinned) message.pinned = true;
  if (row.hide) message.hide = true;
  if (row.call_id) message.call_id = row.call_id;
  if (row.metadata) message.metadata = JSON.parse(row.metadata) as MessageMetadata;
  return message;
}

const columns = "branch, position, role, content, content_encoding, timestamp, files, pinned, hide, call_id, metadata";

const insertBatch = `
  INSERT INTO messages (conversation_id, ${columns})
  SELECT $1, $2, $3 + batch.ordinality - 1, batch.role, batch.content, batch.content_encoding, batch.timestamp,
         batch.files, batch.pinned, batch.hide, batch.call_id, batch.metadata
  FROM unnest($4::text[], $5::text[], $6::smallint[], $7::text[], $8::text[], $9::boolean[], $10::boolean[], $11::text[], $12::text[])
    WITH ORDINALITY AS batch (role, content, content_encoding, timestamp, files, pinned, hide, call_id, metadata, ordinality)`;

export const messageQueries = {
  async branch(database: Queryable, conversationId: string, branch: string): Promise<Message[]> {
    const rows = await database.rows<MessageRow>({
      name: "messages-branch",
      text: `SELECT ${columns} FROM messages WHERE conversation_id = $1 AND branch = $2 ORDER BY position`,
      values: [conversationId, branch],
    });
    return rows.map(rowToMessage);
  },

  async allBranches(database: Queryable, conversationId: string): Promise<Record<string, Message[]>> {
    const rows = await database.rows<MessageRow>({
      name: "messages-all-branches",
      text: `SELECT ${columns} FROM messages WHERE conversation_id = $1 ORDER BY branch = 'main' DESC, branch, position`,
      values: [conversationId],
    });
    const branches: Record<string, Message[]> = { main: [] };
    for (const row of rows) (branches[row.branch] ??= []).push(rowToMessage(row));
    return branches;
  },

  async range(database: Queryable, conversationId: string, branch: string, start: number, end: number): Promise<Message[]> {
    const rows = await database.rows<MessageRow>({
      name: "messages-range",
      text: `SELECT ${columns} FROM messages WHERE conversation_id = $1 AND branch = $2 AND position >= $3 AND position < $4
             ORDER BY position`,
      values: [conversationId, branch, start, end],
    });
    return rows.map(rowToMessage);
  },

  /**
   * Every branch's length, `main` first (0 when empty): a skip scan over the primary key, one
   * index lookup per branch however long the branches are.
   */
  async lengths(database: Queryable, conversationId: string): Promise<Record<string, number>> {
    const rows = await database.rows<{ branch: string; length: number }>({
      name: "messages-branch-lengths",
      text: `WITH RECURSIVE names (branch) AS (
               SELECT min(branch) FROM messages WHERE conversation_id = $1
               UNION ALL
               SELECT (SELECT min(branch) FROM messages WHERE conversation_id = $1 AND branch > names.branch)
               FROM names WHERE names.branch IS NOT NULL
             )
             SELECT branch, (SELECT max(position) + 1 FROM messages
                             WHERE conversation_id = $1 AND messages.branch = names.branch) AS length
             FROM names WHERE branch IS NOT NULL`,
      values: [conversationId],
    });
    const lengths: Record<string, number> = { main: 0 };
    for (const row of rows) lengths[row.branch] = row.length;
    return lengths;
  },

  /** Positions run 0..n-1 in every branch, so the next one is the largest plus one (an index lookup). */
  async length(database: Queryable, conversationId: string, branch: string): Promise<number> {
    const [row] = await database.rows<{ length: number }>({
      name: "messages-branch-length",
      text: "SELECT coalesce(max(position) + 1, 0) AS length FROM messages WHERE conversation_id = $1 AND branch = $2",
      values: [conversationId, branch],
    });
    return row?.length ?? 0;
  },

  /** How many branches the conversation has, `main` always counted. */
  async branchCount(database: Queryable, conversationId: string): Promise<number> {
    const [row] = await database.rows<{ count: number }>({
      name: "messages-branch-count",
      text: "SELECT count(*) AS count FROM (SELECT branch FROM messages WHERE conversation_id = $1 UNION SELECT 'main') AS names",
      values: [conversationId],
    });
    return row?.count ?? 1;
  },

  async insertAt(database: Queryable, conversationId: string, branch: string, start: number, messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    const encoded = messages.map((message) => encodeText(message.content));
    await database.run({
      name: "messages-insert-batch",
      text: insertBatch,
      values: [
        conversationId,
        branch,
        start,
        messages.map((message) => message.role),
        encoded.map((content) => content.text),
        encoded.map((content) => content.encoding),
        messages.map((message) => message.timestamp),
        messages.map((message) => (message.files && message.files.length > 0 ? JSON.stringify(message.files) : null)),
        messages.map((message) => Boolean(message.pinned)),
        messages.map((message) => Boolean(message.hide)),
        messages.map((message) => message.call_id ?? null),
        messages.map((message) => (message.metadata ? JSON.stringify(message.metadata) : null)),
      ],
    });
  },

  async clear(database: Queryable, conversationId: string, branch: string): Promise<void> {
    await database.run({
      name: "messages-delete-branch",
      text: "DELETE FROM messages WHERE conversation_id = $1 AND branch = $2",
      values: [conversationId, branch],
    });
  },
};
