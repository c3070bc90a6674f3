/** SQL for the messages table; statements prepared once. */
import type { Database, Statement } from "better-sqlite3";
import type { Message, MessageMetadata, Role } from "../types.js";

interface MessageRow {
  branch: string;
  position: number;
  role: string;
  content: string;
  timestamp: string;
  files: string | null;
  pinned: number;
  hide: number;
  call_id: string | null;
  metadata: string | null;
}

export function rowToMessage(row: MessageRow): Message {
  const message: Message = { role: row.role as Role, content: row.content, timestamp: row.timestamp };
  if (row.files) message.files = JSON.parse(row.files) as string[];
  if (row.pinned) message.pinned = true;
  if (row.hide) message.hide = true;
  if (row.call_id) message.call_id = row.call_id;
  if (row.metadata) message.metadata = JSON.parse(row.metadata) as MessageMetadata;
  return message;
}

export class MessageRows {
  private readonly selectBranch: Statement<[string, string], MessageRow>;
  private readonly selectAll: Statement<[string], MessageRow>;
  private readonly insert: Statement<unknown[]>;
  private readonly deleteBranch: Statement<[string, string]>;
  private readonly countBranch: Statement<[string, string], { count: number }>;
  private readonly branchNames: Statement<[string], { branch: string }>;
  private readonly selectRange: Statement<[string, string, number, number], MessageRow>;
  private readonly lengths: Statement<{ id: string }, { branch: string; length: number }>;

  constructor(database: Database) {
    const columns = "branch, position, role, content, timestamp, files, pinned, hide, call_id, metadata";
    this.selectBranch = database.prepare(
      `SELECT ${columns} FROM messages WHERE conversation_id = ? AND branch = ? ORDER BY position`,
    );
    this.selectAll = database.prepare(
      `SELECT ${columns} FROM messages WHERE conversation_id = ? ORDER BY branch = 'main' DESC, branch, position`,
    );
    this.insert = database.prepare(
      `INSERT INTO messages (conversation_id, ${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteBranch = database.prepare("DELETE FROM messages WHERE conversation_id = ? AND branch = ?");
    this.countBranch = database.prepare(
      "SELECT count(*) AS count FROM messages WHERE conversation_id = ? AND branch = ?",
    );
    this.branchNames = database.prepare("SELECT DISTINCT branch FROM messages WHERE conversation_id = ?");
    this.selectRange = database.prepare(
      `SELECT ${columns} FROM messages WHERE conversation_id = ? AND branch = ? AND position >= ? AND position < ?
       ORDER BY position`,
    );
    // A skip scan over the primary key: one index seek per branch, however long the branches are.
    this.lengths = database.prepare(
      `WITH RECURSIVE names (branch) AS (
         SELECT min(branch) FROM messages WHERE conversation_id = @id
         UNION ALL
         SELECT (SELECT min(branch) FROM messages WHERE conversation_id = @id AND branch > names.branch)
         FROM names WHERE names.branch IS NOT NULL
       )
       SELECT branch, (SELECT max(position) + 1 FROM messages
                       WHERE conversation_id = @id AND messages.branch = names.branch) AS length
       FROM names WHERE branch IS NOT NULL`,
    );
  }

  range(conversationId: string, branch: string, start: number, end: number): Message[] {
    return this.selectRange.all(conversationId, branch, start, end).map(rowToMessage);
  }

  /** Positions run 0..n-1 in every branch (appends continue the count, replaces rewrite from 0). */
  branchLengths(conversationId: string): Record<string, number> {
    const lengths: Record<string, number> = { main: 0 };
    for (const row of this.lengths.all({ id: conversationId })) lengths[row.branch] = row.length;
    return lengths;
  }

  branch(conversationId: string, branch: string): Message[] {
    return this.selectBranch.all(conversationId, branch).map(rowToMessage);
  }

  allBranches(conversationId: string): Record<string, Message[]> {
    const branches: Record<string, Message[]> = { main: [] };
    for (const row of this.selectAll.all(conversationId)) {
      (branches[row.branch] ??= []).push(rowToMessage(row));
    }
    return branches;
  }

  count(conversationId: string, branch: string): number {
    return this.countBranch.get(conversationId, branch)?.count ?? 0;
  }

  branchCount(conversationId: string): number {
    const names = new Set(this.branchNames.all(conversationId).map((row) => row.branch));
    names.add("main");
    return names.size;
  }

  insertAt(conversationId: string, branch: string, start: number, messages: Message[]): void {
    messages.forEach((message, offset) => {
      this.insert.run(
        conversationId,
        branch,
        start + offset,
        message.role,
        message.content,
        message.timestamp,
        message.files && message.files.length > 0 ? JSON.stringify(message.files) : null,
        message.pinned ? 1 : 0,
        message.hide ? 1 : 0,
        message.call_id ?? null,
        message.metadata ? JSON.stringify(message.metadata) : null,
      );
    });
  }

  clear(conversationId: string, branch: string): void {
    this.deleteBranch.run(conversationId, branch);
  }
}
