/**
 * The list's search: conversations whose id, name, previews or any visible message contain the
 * query (case-insensitive substring), newest first with the same cursors as the plain list. Message
 * text is found through the `message_search` trigram index; trigrams need three characters, so a
 * one- or two-character query falls back to the conversation columns (id, name, both previews),
 * which is what the list searched before the index. Each hit gets the snippet of its first
 * matching message.
 */
import type { Database, Statement } from "better-sqlite3";
import type { ConversationSummary } from "../types.js";
import { searchSnippet } from "../previews.js";
import { type ConversationRow, conversationSummaryColumns, rowToSummary } from "./conversation-rows.js";

type SummaryRow = Omit<ConversationRow, "config">;

export interface SearchCursor {
  modified: number;
  id: string;
}

interface SearchParameters {
  query: string;
  phrase: string;
  limit: number;
  modified?: number;
  id?: string;
}

const columnsMatch =
  "(instr(lower(id), @query) > 0 OR instr(lower(name), @query) > 0 OR instr(lower(last_message_preview), @query) > 0 " +
  "OR instr(lower(first_user_message_preview), @query) > 0";

const indexedMatch = `${columnsMatch} OR id IN (SELECT keys.conversation_id FROM message_search_keys AS keys
  WHERE keys.id IN (SELECT rowid FROM message_search WHERE message_search MATCH @phrase)))`;

/** Too short for trigrams: the columns only, as before the index (a scan of all text could take seconds). */
const scannedMatch = `${columnsMatch})`;

const afterCursor = "AND (modified < @modified OR (modified = @modified AND id < @id))";

/** Trigrams count characters, not UTF-16 units. */
const indexable = (query: string) => [...query].length >= 3;

/** The query as one FTS5 string: a phrase, so operators and quotes in it are plain text. */
function ftsPhrase(query: string): string {
  return `"${query.replace(/"/g, '""')}"`;
}

export class ConversationSearch {
  private readonly statements: Record<"indexed" | "scanned", Record<"first" | "next", Statement<[SearchParameters], SummaryRow>>>;
  private readonly firstMatch: Statement<[string, string], { content: string }>;

  constructor(database: Database) {
    const prepare = (match: string, cursor: string) =>
      database.prepare<[SearchParameters], SummaryRow>(
        `SELECT ${conversationSummaryColumns} FROM conversations WHERE ${match} ${cursor}
         ORDER BY modified DESC, id DESC LIMIT @limit`,
      );
    this.statements = {
      indexed: { first: prepare(indexedMatch, ""), next: prepare(indexedMatch, afterCursor) },
      scanned: { first: prepare(scannedMatch, ""), next: prepare(scannedMatch, afterCursor) },
    };
    this.firstMatch = database.prepare(
      `SELECT content FROM messages WHERE conversation_id = ? AND hide = 0 AND instr(lower(content), ?) > 0
       ORDER BY branch = 'main' DESC, branch, position LIMIT 1`,
    );
  }

  /** Up to `limit` matches after `cursor`, newest first. */
  page(query: string, limit: number, cursor?: SearchCursor): Array<SummaryRow & { summary: ConversationSummary }> {
    const lowered = query.toLowerCase();
    const parameters: SearchParameters = { query: lowered, phrase: ftsPhrase(query), limit };
    if (cursor) Object.assign(parameters, { modified: cursor.modified, id: cursor.id });
    const statements = this.statements[indexable(query) ? "indexed" : "scanned"];
    const rows = (cursor ? statements.next : statements.first).all(parameters);
    return rows.map((row) => {
      const match = this.firstMatch.get(row.id, lowered);
      const summary = rowToSummary(row);
      summary.searchSnippet = match ? searchSnippet(match.content, query) : null;
      return { ...row, summary };
    });
  }
}
