/**
 * The list's search on PostgreSQL, with SQLite's semantics: conversations whose id, name, previews
 * or any visible message contain the query (case-insensitive substring), newest first with the
 * same cursors as the plain list. Message text is matched with `ILIKE '%q%'` (the query's
 * wildcards escaped), which pg_trgm's GIN index answers; trigrams need three characters, so a one-
 * or two-character query searches the conversation columns only, as SQLite does. Each hit carries the snippet of its first matching
 * message (main branch first), looked up for the page's rows only, in the same statement.
 */
import type { ConversationSummary } from "../types.js";
import type { ListCursor } from "../list-cursor.js";
import { searchSnippet } from "../previews.js";
import { conversationSummaryColumns, rowToSummary } from "../sqlite/conversation-rows.js";
import type { Queryable } from "./database.js";
import { decodeText } from "./message-rows.js";
import type { SummaryRow } from "./conversation-rows.js";

/** `%`, `_` and the escape character itself match only themselves. */
export function likePattern(query: string): string {
  return `%${query.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** Trigrams count characters, not UTF-16 units. */
const indexable = (query: string) => [...query].length >= 3;

/** The short columns are scanned (strpos on lower() is twice as fast as ILIKE there). */
const columnsMatch =
  "strpos(lower(conversations.id), lower($3)) > 0 OR strpos(lower(conversations.name), lower($3)) > 0 " +
  "OR strpos(lower(conversations.last_message_preview), lower($3)) > 0 " +
  "OR strpos(lower(conversations.first_user_message_preview), lower($3)) > 0";

/** Message text through the trigram index, which answers ILIKE. */
const messagesMatch = "conversations.id IN (SELECT conversation_id FROM messages WHERE NOT hide AND content ILIKE $1)";

const afterCursor = "AND (conversations.modified, conversations.id) < ($4, $5)";

const summaryColumns = conversationSummaryColumns
  .split(", ")
  .map((column) => `conversations.${column}`)
  .join(", ");

/**
 * Unnamed statements on purpose: PostgreSQL plans them with the actual pattern, so the trigram
 * indexes are used; a cached generic plan cannot know how selective a pattern is.
 */
function searchSql(indexed: boolean, cursor: boolean): string {
  return `
    SELECT page.*, first_match.content AS match_content, first_match.content_encoding AS match_encoding
    FROM (
      SELECT ${summaryColumns} FROM conversations
      WHERE (${columnsMatch}${indexed ? ` OR ${messagesMatch}` : ""}) ${cursor ? afterCursor : ""}
      ORDER BY conversations.modified DESC, conversations.id DESC
      LIMIT $2
    ) AS page
    LEFT JOIN LATERAL (
      SELECT content, content_encoding FROM messages
      WHERE messages.conversation_id = page.id AND NOT hide AND content ILIKE $1
      ORDER BY branch = 'main' DESC, branch, position LIMIT 1
    ) AS first_match ON true
    ORDER BY page.modified DESC, page.id DESC`;
}

type SearchRow = SummaryRow & { match_content: string | null; match_encoding: number | null };

/** The statement that finds up to `limit` matches of `query` after `cursor`. */
export function searchStatement(query: string, limit: number, cursor?: ListCursor): { text: string; values: unknown[] } {
  const values: unknown[] = [likePattern(query), limit, query];
  if (cursor) values.push(cursor.modified, cursor.id);
  return { text: searchSql(indexable(query), cursor !== undefined), values };
}

/** Up to `limit` matches after `cursor`, newest first, each with its summary (and snippet). */
export async function searchConversations(
  database: Queryable,
  query: string,
  limit: number,
  cursor?: ListCursor,
): Promise<Array<{ modified: number; id: string; summary: ConversationSummary }>> {
  const rows = await database.rows<SearchRow>(searchStatement(query, limit, cursor));
  return rows.map((row) => {
    const summary = rowToSummary(row);
    const content = row.match_content === null ? null : decodeText(row.match_content, row.match_encoding ?? 0);
    summary.searchSnippet = content === null ? null : searchSnippet(content, query);
    return { modified: row.modified, id: row.id, summary };
  });
}
