/**
 * Everything the server keeps, as one opened unit: the SQLite file or a PostgreSQL database
 * behind the same contracts. Types only, so handlers and the runtime never see which one it is.
 */
import type { AuthSessionStore } from "./auth-sessions.js";
import type { DraftStore } from "./drafts.js";
import type { LeaseFence, LeaseStore } from "./leases.js";
import type { SessionIdStore } from "./session-ids.js";
import type { SettingsStore } from "./settings-store.js";
import type { TaskStore } from "./task-store.js";
import type { AutoConfirmBudgetStore, ForwardedBodyStore } from "./shared-replica-state.js";
import type { ConversationStore } from "./types.js";

/** What several server processes share through the store (PostgreSQL only). */
export interface SharedState {
  leases: LeaseStore;
  sessionIds: SessionIdStore;
  forwardedBodies: ForwardedBodyStore;
  autoConfirm: AutoConfirmBudgetStore;
  /** The stores again, but every write first proves that `fence` still holds its lease (LeaseLostError otherwise). */
  fenced(fence: LeaseFence): { conversations: ConversationStore; drafts: DraftStore };
}

export interface Storage {
  readonly kind: "sqlite" | "postgres";
  /** Where the data lives, for the banner: the SQLite file, or the URL without its password. */
  readonly location: string;
  readonly conversations: ConversationStore;
  readonly drafts: DraftStore;
  readonly authSessions: AuthSessionStore;
  /** Leases, session ids and fenced writes, where the store can be shared by several processes; absent on SQLite. */
  readonly shared?: SharedState;
  /** Tasks and user settings in the same database (PostgreSQL); absent on SQLite, whose file holds them beside the conversations. */
  readonly tasks?: TaskStore;
  readonly settings?: { store: SettingsStore; /** What it held when opened. */ initial: Record<string, unknown> };
  close(): Promise<void>;
}
