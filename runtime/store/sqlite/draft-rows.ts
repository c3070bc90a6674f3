/** The drafts table: the reply being generated per conversation (migration 3); statements prepared once. */
import type { Database, Statement } from "better-sqlite3";
import type { Draft, DraftStore } from "../drafts.js";

interface DraftRow {
  conversation_id: string;
  branch: string;
  position: number;
  content: string;
  model: string;
  updated: string;
}

const columns = "conversation_id, branch, position, content, model, updated";

function rowToDraft(row: DraftRow): Draft {
  return {
    conversationId: row.conversation_id,
    branch: row.branch,
    position: row.position,
    content: row.content,
    model: row.model,
    updated: row.updated,
  };
}

export class SqliteDraftStore implements DraftStore {
  private readonly upsert: Statement<[string, string, number, string, string, string]>;
  private readonly selectOne: Statement<[string], DraftRow>;
  private readonly remove: Statement<[string]>;
  private readonly selectAll: Statement<[], DraftRow>;

  constructor(private readonly database: Database) {
    this.upsert = database.prepare(
      `INSERT INTO drafts (${columns}) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (conversation_id) DO UPDATE SET branch = excluded.branch, position = excluded.position,
       content = excluded.content, model = excluded.model, updated = excluded.updated`,
    );
    this.selectOne = database.prepare(`SELECT ${columns} FROM drafts WHERE conversation_id = ?`);
    this.remove = database.prepare("DELETE FROM drafts WHERE conversation_id = ?");
    this.selectAll = database.prepare(`SELECT ${columns} FROM drafts ORDER BY conversation_id`);
  }

  async save(draft: Draft): Promise<void> {
    this.upsert.run(draft.conversationId, draft.branch, draft.position, draft.content, draft.model, draft.updated);
  }

  async take(conversationId: string): Promise<Draft | null> {
    return this.database.transaction(() => {
      const row = this.selectOne.get(conversationId);
      if (row) this.remove.run(conversationId);
      return row ? rowToDraft(row) : null;
    })();
  }

  async list(): Promise<Draft[]> {
    return this.selectAll.all().map(rowToDraft);
  }
}
