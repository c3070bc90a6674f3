/**
 * SQL for the conversations table on PostgreSQL: list entries and counters kept on the row (so
 * listing never reads messages), and the change counter every write transaction bumps. Rows come
 * back in the SQLite store's column shape, so both stores build summaries with the same code.
 */
import type { Message } from "../types.js";
import { type ConversationRow, conversationSummaryColumns, previewOf, totalsOf } from "../sqlite/conversation-rows.js";
import type { Queryable } from "./database.js";
import { changeCounterSlots } from "./migrations.js";

export type SummaryRow = Omit<ConversationRow, "config">;

/** Previews are for display: a NUL (which PostgreSQL text cannot hold) is dropped from them. */
export const displayText = (text: string): string => text.replaceAll("\u0000", "");

/** The slot of the change counter a conversation's writes bump (FNV-1a of its id). */
export function changeCounterSlot(conversationId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < conversationId.length; index++) {
    hash ^= conversationId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % changeCounterSlots;
}

/** The row's new length, last message and the batch's totals (after an append or a replace). */
function rowUpdate(length: number, messages: Message[]) {
  const totals = totalsOf(messages);
  const last = messages[messages.length - 1];
  return [Date.now() / 1000, length, last?.role ?? null, displayText(previewOf(last)), totals.cost, totals.input, totals.output];
}

export const conversationQueries = {
  async selectOne(database: Queryable, id: string): Promise<ConversationRow | null> {
    const [row] = await database.rows<ConversationRow>({ name: "conversation-one", text: "SELECT * FROM conversations WHERE id = $1", values: [id] });
    return row ?? null;
  },

  /**
   * Counts a write in the row's version and so locks the row until the transaction ends: writes
   * to one conversation take turns. Null when there is no such conversation.
   */
  async lockForWrite(database: Queryable, id: string): Promise<ConversationRow | null> {
    const [row] = await database.rows<ConversationRow>({
      name: "conversation-lock-for-write",
      text: "UPDATE conversations SET version = version + 1 WHERE id = $1 RETURNING *",
      values: [id],
    });
    return row ?? null;
  },

  /** False when the id exists (nothing is written then). */
  async insert(database: Queryable, values: unknown[]): Promise<boolean> {
    const inserted = await database.run({
      name: "conversation-insert",
      text: `INSERT INTO conversations (id, name, created, modified, config, workspace, message_count, last_message_role,
               last_message_preview, total_cost, total_input_tokens, total_output_tokens, first_user_message_preview)
             VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (id) DO NOTHING`,
      values,
    });
    return inserted > 0;
  },

  async afterAppend(database: Queryable, id: string, length: number, messages: Message[]): Promise<void> {
    await database.run({
      name: "conversation-after-append",
      text: `UPDATE conversations SET modified = $1, message_count = $2, last_message_role = $3, last_message_preview = $4,
               total_cost = total_cost + $5, total_input_tokens = total_input_tokens + $6,
               total_output_tokens = total_output_tokens + $7 WHERE id = $8`,
      values: [...rowUpdate(length, messages), id],
    });
  },

  async afterReplace(database: Queryable, id: string, messages: Message[]): Promise<void> {
    await database.run({
      name: "conversation-after-replace",
      text: `UPDATE conversations SET modified = $1, message_count = $2, last_message_role = $3, last_message_preview = $4,
               total_cost = $5, total_input_tokens = $6, total_output_tokens = $7 WHERE id = $8`,
      values: [...rowUpdate(messages.length, messages), id],
    });
  },

  async setConfig(database: Queryable, id: string, config: string, name: string, workspace: string): Promise<void> {
    await database.run({
      name: "conversation-set-config",
      text: "UPDATE conversations SET config = $1, name = $2, workspace = $3, modified = $4 WHERE id = $5",
      values: [config, name, workspace, Date.now() / 1000, id],
    });
  },

  async setBranchCount(database: Queryable, id: string, count: number): Promise<void> {
    await database.run({ name: "conversation-set-branch-count", text: "UPDATE conversations SET branch_count = $1 WHERE id = $2", values: [count, id] });
  },

  /** `onlyIfUnset`: the first user message ever stored names the conversation in lists. */
  async setOpeningWords(database: Queryable, id: string, words: string, onlyIfUnset: boolean): Promise<void> {
    await database.run({
      name: onlyIfUnset ? "conversation-opening-words-if-unset" : "conversation-opening-words",
      text: `UPDATE conversations SET first_user_message_preview = $1 WHERE id = $2${onlyIfUnset ? " AND first_user_message_preview = ''" : ""}`,
      values: [displayText(words), id],
    });
  },

  async remove(database: Queryable, id: string): Promise<boolean> {
    return (await database.run({ name: "conversation-delete", text: "DELETE FROM conversations WHERE id = $1", values: [id] })) > 0;
  },

  /** Newest first; after `cursor` when given (a row comparison, which the (modified, id) index answers). */
  async page(database: Queryable, limit: number, cursor?: { modified: number; id: string }): Promise<SummaryRow[]> {
    if (!cursor) {
      return database.rows<SummaryRow>({
        name: "conversation-first-page",
        text: `SELECT ${conversationSummaryColumns} FROM conversations ORDER BY modified DESC, id DESC LIMIT $1`,
        values: [limit],
      });
    }
    return database.rows<SummaryRow>({
      name: "conversation-next-page",
      text: `SELECT ${conversationSummaryColumns} FROM conversations WHERE (modified, id) < ($1, $2)
             ORDER BY modified DESC, id DESC LIMIT $3`,
      values: [cursor.modified, cursor.id, limit],
    });
  },

  /** Called last in every write transaction, so the counter row is locked only while the commit runs. */
  async bumpChangeCounter(database: Queryable, conversationId: string): Promise<void> {
    await database.run({
      name: "change-counter-bump",
      text: "UPDATE change_counters SET value = value + 1 WHERE slot = $1",
      values: [changeCounterSlot(conversationId)],
    });
  },

  async changeToken(database: Queryable): Promise<string> {
    const [row] = await database.rows<{ token: string }>({
      name: "change-token",
      text: "SELECT sum(value)::text AS token FROM change_counters",
    });
    return row?.token ?? "0";
  },
};
