/**
 * Migration 4: the conversation row's `first_user_message_preview`, and `message_search`, an FTS5
 * index of every visible message's text with the trigram tokenizer (substring matching, like the
 * list's `instr` search). Messages have no rowid (WITHOUT ROWID), so `message_search_keys` gives each
 * indexed message one; triggers keep both in step with every insert, update and delete of a message,
 * including the cascade when a conversation is deleted. Hidden messages (the system prompt, which
 * every conversation shares) are not indexed: a word from it would match everything.
 */
import type { Database } from "better-sqlite3";
import type { Message, Role } from "../types.js";
import { openingWords } from "../previews.js";

const sameMessage = "conversation_id = old.conversation_id AND branch = old.branch AND position = old.position";

const forgetOld = `
  DELETE FROM message_search WHERE rowid = (SELECT id FROM message_search_keys WHERE ${sameMessage});
  DELETE FROM message_search_keys WHERE ${sameMessage};`;

const indexNew = `
  INSERT INTO message_search_keys (conversation_id, branch, position) VALUES (new.conversation_id, new.branch, new.position);
  INSERT INTO message_search (rowid, content) VALUES (last_insert_rowid(), new.content);`;

export const messageSearchSql = `
  ALTER TABLE conversations ADD COLUMN first_user_message_preview TEXT NOT NULL DEFAULT '';
  CREATE TABLE message_search_keys (
    id INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    branch TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (conversation_id, branch, position)
  );
  CREATE VIRTUAL TABLE message_search USING fts5(content, tokenize = 'trigram');
  INSERT INTO message_search_keys (conversation_id, branch, position)
    SELECT conversation_id, branch, position FROM messages WHERE hide = 0;
  INSERT INTO message_search (rowid, content)
    SELECT keys.id, messages.content FROM message_search_keys AS keys
    JOIN messages USING (conversation_id, branch, position);
  CREATE TRIGGER message_search_insert AFTER INSERT ON messages WHEN new.hide = 0 BEGIN ${indexNew}
  END;
  CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN ${forgetOld}
  END;
  CREATE TRIGGER message_search_update AFTER UPDATE ON messages BEGIN ${forgetOld}
    INSERT INTO message_search_keys (conversation_id, branch, position)
      SELECT new.conversation_id, new.branch, new.position WHERE new.hide = 0;
    INSERT INTO message_search (rowid, content) SELECT last_insert_rowid(), new.content WHERE new.hide = 0;
  END;
`;

/** Existing conversations get their opening words from their main branch's first user messages. */
export function backfillOpeningWords(database: Database): void {
  const firstUsers = database.prepare(
    `SELECT conversation_id, role, content FROM messages
     WHERE branch = 'main' AND role = 'user' AND hide = 0 AND trim(content) != ''
       AND position = (SELECT min(position) FROM messages AS first
         WHERE first.conversation_id = messages.conversation_id AND first.branch = 'main'
           AND first.role = 'user' AND first.hide = 0 AND trim(first.content) != '')`,
  );
  const update = database.prepare("UPDATE conversations SET first_user_message_preview = ? WHERE id = ?");
  for (const row of firstUsers.all() as Array<{ conversation_id: string; role: Role; content: string }>) {
    const message: Message = { role: row.role, content: row.content, timestamp: "" };
    update.run(openingWords([message]), row.conversation_id);
  }
}
