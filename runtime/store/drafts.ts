/**
 * The reply being generated, kept beside the conversation (never in its log) so that a crash loses
 * at most about a second of it. A store that keeps conversations implements this too.
 */

export interface Draft {
  conversationId: string;
  branch: string;
  /** The branch's length when the reply began: where the reply goes once stored. */
  position: number;
  /** The reply's text so far. */
  content: string;
  /** The model writing it (`provider/model`). */
  model: string;
  /** ISO 8601: when `content` was last saved. */
  updated: string;
}

/**
 * A draft as it is saved: its text as a string, or as UTF-8 bytes (a streaming reply keeps its text
 * as bytes, see TextPieces, and a string of the whole text each second per reply was what the
 * young-generation collections copied most while hundreds of replies streamed).
 */
export interface DraftUpdate extends Omit<Draft, "content"> {
  content: string | Uint8Array;
}

const decoder = new TextDecoder();

/** The text of a draft's content, whichever way it was saved. */
export function draftText(content: string | Uint8Array): string {
  return typeof content === "string" ? content : decoder.decode(content);
}

export interface DraftStore {
  /** Creates or replaces the conversation's draft (one per conversation). */
  save(draft: DraftUpdate): Promise<void>;
  /** Removes the conversation's draft and returns it (null when there is none). */
  take(conversationId: string): Promise<Draft | null>;
  /** Every draft (those left behind by a crash, when read at start). */
  list(): Promise<Draft[]>;
}
