/** Live session ids on PostgreSQL (see session-ids.ts); a session goes with its conversation. */
import { ConflictError, NotFoundError } from "../../errors.js";
import type { SessionIdStore, SessionRecord } from "../session-ids.js";
import type { Queryable } from "./database.js";

interface SessionRow {
  id: string;
  conversation_id: string;
  auto_confirm: number;
  created: number;
  last_used: number;
}

const columns = "id, conversation_id, auto_confirm, created, last_used";

const toRecord = (row: SessionRow): SessionRecord => ({
  id: row.id,
  conversationId: row.conversation_id,
  autoConfirm: row.auto_confirm,
  created: row.created,
  lastUsed: row.last_used,
});

export class PostgresSessionIdStore implements SessionIdStore {
  constructor(private readonly database: Queryable) {}

  async add(session: { id: string; conversationId: string; autoConfirm: number }): Promise<void> {
    const now = Date.now() / 1000;
    try {
      await this.database.run({
        name: "live-session-insert",
        text: `INSERT INTO live_sessions (${columns}) VALUES ($1, $2, $3, $4, $4)`,
        values: [session.id, session.conversationId, session.autoConfirm, now],
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "23503") throw new NotFoundError(`Conversation not found: ${session.conversationId}`);
      if (code === "23505") throw new ConflictError(`Session already exists: ${session.id}`);
      throw error;
    }
  }

  async use(id: string): Promise<SessionRecord | null> {
    const [row] = await this.database.rows<SessionRow>({
      name: "live-session-use",
      text: `UPDATE live_sessions SET last_used = $2 WHERE id = $1 RETURNING ${columns}`,
      values: [id, Date.now() / 1000],
    });
    return row ? toRecord(row) : null;
  }

  async ofConversation(conversationId: string): Promise<SessionRecord[]> {
    const rows = await this.database.rows<SessionRow>({
      name: "live-session-of-conversation",
      text: `SELECT ${columns} FROM live_sessions WHERE conversation_id = $1 ORDER BY created, id`,
      values: [conversationId],
    });
    return rows.map(toRecord);
  }

  async forgetConversation(conversationId: string): Promise<void> {
    await this.database.run({ name: "live-session-forget", text: "DELETE FROM live_sessions WHERE conversation_id = $1", values: [conversationId] });
  }

  async forgetIdle(before: number): Promise<number> {
    return this.database.run({ name: "live-session-forget-idle", text: "DELETE FROM live_sessions WHERE last_used < $1", values: [before] });
  }
}
