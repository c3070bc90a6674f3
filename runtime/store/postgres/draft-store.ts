/** The drafts table on PostgreSQL: one draft per conversation; `take` is one DELETE ... RETURNING. */
import { type Draft, type DraftStore, type DraftUpdate, draftText } from "../drafts.js";
import type { LeaseFence } from "../leases.js";
import type { PostgresDatabase, Queryable } from "./database.js";
import { holdFence } from "./lease-store.js";
import { decodeText, encodeText } from "./message-rows.js";

interface DraftRow {
  conversation_id: string;
  branch: string;
  position: number;
  content: string;
  content_encoding: number;
  model: string;
  updated: string;
}

const columns = "conversation_id, branch, position, content, content_encoding, model, updated";

function rowToDraft(row: DraftRow): Draft {
  return {
    conversationId: row.conversation_id,
    branch: row.branch,
    position: row.position,
    content: decodeText(row.content, row.content_encoding),
    model: row.model,
    updated: row.updated,
  };
}

export class PostgresDraftStore implements DraftStore {
  /** With a fence, saving and taking first prove the lease is still held (see lease-store.ts). */
  constructor(
    private readonly database: PostgresDatabase,
    private readonly fence: LeaseFence | null = null,
  ) {}

  async save(draft: DraftUpdate): Promise<void> {
    const content = encodeText(draftText(draft.content));
    await this.write((client) =>
      client.run({
        name: "draft-upsert",
        text: `INSERT INTO drafts (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (conversation_id) DO UPDATE SET branch = excluded.branch, position = excluded.position,
               content = excluded.content, content_encoding = excluded.content_encoding, model = excluded.model,
               updated = excluded.updated`,
        values: [draft.conversationId, draft.branch, draft.position, content.text, content.encoding, draft.model, draft.updated],
      }),
    );
  }

  async take(conversationId: string): Promise<Draft | null> {
    const [row] = await this.write((client) =>
      client.rows<DraftRow>({
        name: "draft-take",
        text: `DELETE FROM drafts WHERE conversation_id = $1 RETURNING ${columns}`,
        values: [conversationId],
      }),
    );
    return row ? rowToDraft(row) : null;
  }

  async list(): Promise<Draft[]> {
    const rows = await this.database.rows<DraftRow>({ name: "draft-list", text: `SELECT ${columns} FROM drafts ORDER BY conversation_id` });
    return rows.map(rowToDraft);
  }

  private write<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    const fence = this.fence;
    if (!fence) return work(this.database);
    return this.database.transaction(async (client) => {
      await holdFence(client, fence);
      return work(client);
    });
  }
}
