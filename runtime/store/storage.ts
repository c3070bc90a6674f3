/**
 * Everything the server keeps, as one opened unit: the SQLite file or a PostgreSQL database
 * behind the same contracts. Types only, so handlers and the runtime never see which one it is.
 */
import type { AuthSessionStore } from "./auth-sessions.js";
import type { DraftStore } from "./drafts.js";
import type { ConversationStore } from "./types.js";

export interface Storage {
  readonly kind: "sqlite" | "postgres";
  /** Where the data lives, for the banner: the SQLite file, or the URL without its password. */
  readonly location: string;
  readonly conversations: ConversationStore;
  readonly drafts: DraftStore;
  readonly authSessions: AuthSessionStore;
  close(): Promise<void>;
}
