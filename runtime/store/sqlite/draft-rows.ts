/** The drafts table: the reply being generated per conversation (migration 3); statements prepared once. */
import type { Database, Statement } from "better-sqlite3";
import { type Draft, type DraftStore, type DraftUpdate, draftText } from "../drafts.js";

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

/**
 * Saves that arrive within this long of each other are written in one transaction: with hundreds
 * of replies streaming, a transaction per save (about one per reply per second) cost more in file
 * locks, page writes and WAL checkpoints than everything else the server does per token.
 */
export const draftBatchMs = 100;

interface DraftBatch {
  written: Promise<void>;
  done: () => void;
  timer: ReturnType<typeof setTimeout>;
  /** Why a draft of the batch was not written (its conversation is gone), by conversation. */
  failures: Map<string, unknown>;
}

export class SqliteDraftStore implements DraftStore {
  private readonly queued = new Map<string, DraftUpdate>();
  private batch: DraftBatch | null = null;
  private beforeFirstWrite: (() => void) | null = null;
  private readonly upsert: Statement<[string, string, number, string | Uint8Array, string, string]>;
  private readonly selectOne: Statement<[string], DraftRow>;
  private readonly remove: Statement<[string]>;
  private readonly selectAll: Statement<[], DraftRow>;

  constructor(private readonly database: Database) {
    // Content given as bytes is bound as a blob and read as the UTF-8 text it is.
    this.upsert = database.prepare(
      `INSERT INTO drafts (${columns}) VALUES (?, ?, ?, CAST(? AS TEXT), ?, ?)
       ON CONFLICT (conversation_id) DO UPDATE SET branch = excluded.branch, position = excluded.position,
       content = excluded.content, model = excluded.model, updated = excluded.updated`,
    );
    this.selectOne = database.prepare(`SELECT ${columns} FROM drafts WHERE conversation_id = ?`);
    this.remove = database.prepare("DELETE FROM drafts WHERE conversation_id = ?");
    this.selectAll = database.prepare(`SELECT ${columns} FROM drafts ORDER BY conversation_id`);
  }

  /** Resolves once the draft is written with the others of its batch; rejects when it could not be. */
  save(draft: DraftUpdate): Promise<void> {
    this.queued.set(draft.conversationId, draft);
    const batch = (this.batch ??= this.newBatch());
    return batch.written.then(() => {
      const failure = batch.failures.get(draft.conversationId);
      if (failure !== undefined) throw failure;
    });
  }

  /** Runs `callback` once, just before the first batch is written (the server starts its WAL checkpointer then). */
  onFirstWrite(callback: () => void): void {
    this.beforeFirstWrite = callback;
  }

  /** Writes the queued drafts now (before a read, and before the database closes). */
  flush(): void {
    const batch = this.batch;
    if (!batch) return;
    const first = this.beforeFirstWrite;
    this.beforeFirstWrite = null;
    first?.();
    this.batch = null;
    clearTimeout(batch.timer);
    const drafts = [...this.queued.values()];
    this.queued.clear();
    try {
      this.database.transaction(() => {
        for (const draft of drafts) {
          try {
            this.upsert.run(draft.conversationId, draft.branch, draft.position, draft.content, draft.model, draft.updated);
          } catch (error) {
            // Its conversation is gone (the foreign key): only that statement fails, the rest are kept.
            batch.failures.set(draft.conversationId, error);
          }
        }
      })();
    } catch (error) {
      for (const draft of drafts) batch.failures.set(draft.conversationId, error);
    } finally {
      batch.done();
    }
  }

  private newBatch(): DraftBatch {
    let done!: () => void;
    const written = new Promise<void>((resolve) => (done = resolve));
    const timer = setTimeout(() => this.flush(), draftBatchMs);
    timer.unref?.();
    return { written, done, timer, failures: new Map() };
  }

  async take(conversationId: string): Promise<Draft | null> {
    // A save still queued is newer than the stored row, and must not bring the draft back after this.
    const queued = this.queued.get(conversationId);
    this.queued.delete(conversationId);
    return this.database.transaction(() => {
      const row = this.selectOne.get(conversationId);
      if (row) this.remove.run(conversationId);
      if (queued) return { ...queued, content: draftText(queued.content) };
      return row ? rowToDraft(row) : null;
    })();
  }

  async list(): Promise<Draft[]> {
    this.flush();
    return this.selectAll.all().map(rowToDraft);
  }
}
