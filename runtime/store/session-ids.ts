/**
 * Live session ids (the `session_id` a client gets from PUT and passes to step, confirm, events),
 * kept in the store so that any replica can check a session another one made. The session manager
 * keeps them in memory on a single process; a replicated server keeps them here.
 */

export interface SessionRecord {
  id: string;
  conversationId: string;
  /** The auto-confirm budget the session was made with (Infinity: unlimited, 0: ask). */
  autoConfirm: number;
  /** Epoch seconds. */
  created: number;
  /** Epoch seconds: when it was made or last used. */
  lastUsed: number;
}

export interface SessionIdStore {
  /** Records a new session of an existing conversation; throws NotFoundError for an unknown one. */
  add(session: { id: string; conversationId: string; autoConfirm: number }): Promise<void>;
  /** The session, marked as used now; null when unknown or forgotten. */
  use(id: string): Promise<SessionRecord | null>;
  /** The conversation's sessions, oldest first. */
  ofConversation(conversationId: string): Promise<SessionRecord[]>;
  /** Forgets the conversation's sessions (deleting the conversation does this too). */
  forgetConversation(conversationId: string): Promise<void>;
  /** Forgets sessions not used since `before` (epoch seconds); returns how many. */
  forgetIdle(before: number): Promise<number>;
}
