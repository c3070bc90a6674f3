/**
 * The embedded conversation store: better-sqlite3, synchronous underneath, statements prepared
 * once, one transaction per write batch; exposed through the promise-returning ConversationStore.
 */
import type { Database, Statement } from "better-sqlite3";
import { ConflictError, NotFoundError } from "../../errors.js";
import { decodeCursor, encodeCursor } from "../list-cursor.js";
import type {
  ChatConfig,
  Conversation,
  ConversationPage,
  ConversationStore,
  ListOptions,
  Message,
  NewConversation,
} from "../types.js";
import {
  type ConversationRow,
  ConversationRows,
  previewOf,
  rowToConversation,
  rowToSummary,
  totalsOf,
} from "./conversation-rows.js";
import { SqliteDraftStore } from "./draft-rows.js";
import { openingWords } from "../previews.js";
import { ConversationSearch } from "./conversation-search.js";
import { MessageRows } from "./message-rows.js";
import { openDatabase } from "./open-database.js";
import { WalCheckpointer, type WalCheckpointerOptions } from "./wal-checkpointer.js";

const nowSeconds = (): number => Date.now() / 1000;

export { openDatabase } from "./open-database.js";

export class SqliteConversationStore implements ConversationStore {
  /** The replies being generated (see DraftStore). */
  readonly drafts: SqliteDraftStore;
  private readonly conversations: ConversationRows;
  private readonly messageRows: MessageRows;
  private readonly search: ConversationSearch;
  private readonly dataVersion: Statement<[], number>;
  /** Our own commits; `PRAGMA data_version` only moves for other connections' commits. */
  private writes = 0;
  private checkpointer: WalCheckpointer | null = null;

  constructor(readonly database: Database) {
    this.conversations = new ConversationRows(database);
    this.messageRows = new MessageRows(database);
    this.drafts = new SqliteDraftStore(database);
    this.search = new ConversationSearch(database);
    this.dataVersion = database.prepare("PRAGMA data_version").pluck() as Statement<[], number>;
  }

  static open(path: string): SqliteConversationStore {
    return new SqliteConversationStore(openDatabase(path));
  }

  /**
   * From now on the WAL is checkpointed by a worker thread, not inside this connection's commits
   * (the server does this; a CLI command is over before a thread would pay off). Null without a file.
   */
  checkpointInBackground(options?: WalCheckpointerOptions): WalCheckpointer | null {
    if (!this.database.open) return null;
    this.checkpointer ??= WalCheckpointer.start(this.database, options);
    return this.checkpointer;
  }

  async list(options: ListOptions): Promise<ConversationPage> {
    const limit = options.limit + 1;
    const cursor = options.cursor ? decodeCursor(options.cursor) : undefined;
    if (options.query) {
      const hits = this.search.page(options.query, limit, cursor);
      const hasMore = hits.length > options.limit;
      const page = hasMore ? hits.slice(0, options.limit) : hits;
      const last = page[page.length - 1];
      return { items: page.map((hit) => hit.summary), nextCursor: hasMore && last ? encodeCursor(last) : null };
    }
    const rows: ConversationRow[] = cursor
      ? this.conversations.nextPage.all(cursor.modified, cursor.modified, cursor.id, limit)
      : this.conversations.firstPage.all(limit);
    const hasMore = rows.length > options.limit;
    const page = hasMore ? rows.slice(0, options.limit) : rows;
    const last = page[page.length - 1];
    return { items: page.map(rowToSummary), nextCursor: hasMore && last ? encodeCursor(last) : null };
  }

  async get(id: string): Promise<Conversation | null> {
    const row = this.conversations.selectOne.get(id);
    return row ? rowToConversation(row) : null;
  }

  async create(conversation: NewConversation): Promise<void> {
    const created = conversation.created ?? nowSeconds();
    const messages = conversation.messages;
    const last = messages[messages.length - 1];
    const totals = totalsOf(messages);
    const name = conversation.name ?? conversation.config.chat.name ?? conversation.id;
    this.writes += 1;
    this.database.transaction(() => {
      if (this.conversations.exists.get(conversation.id)) {
        throw new ConflictError(`Conversation already exists: ${conversation.id}`);
      }
      this.conversations.insert.run(
        conversation.id,
        name,
        created,
        created,
        JSON.stringify(conversation.config),
        conversation.workspace,
        messages.length,
        last?.role ?? null,
        previewOf(last),
        totals.cost,
        totals.input,
        totals.output,
      );
      this.messageRows.insertAt(conversation.id, "main", 0, messages);
      this.conversations.setOpeningWords.run(openingWords(messages), conversation.id);
    })();
  }

  async messages(id: string, branch = "main"): Promise<Message[]> {
    this.requireExisting(id);
    return this.messageRows.branch(id, branch);
  }

  async branches(id: string): Promise<Record<string, Message[]>> {
    this.requireExisting(id);
    return this.messageRows.allBranches(id);
  }

  async branchLengths(id: string): Promise<Record<string, number>> {
    this.requireExisting(id);
    return this.messageRows.branchLengths(id);
  }

  async messageRange(id: string, branch: string, start: number, end: number): Promise<Message[]> {
    this.requireExisting(id);
    return end > start ? this.messageRows.range(id, branch, start, end) : [];
  }

  async append(id: string, messages: Message[], branch = "main"): Promise<number> {
    this.writes += 1;
    return this.database.transaction(() => {
      if (!this.conversations.exists.get(id)) throw new NotFoundError(`Conversation not found: ${id}`);
      const start = this.messageRows.count(id, branch);
      this.messageRows.insertAt(id, branch, start, messages);
      const length = start + messages.length;
      if (branch === "main") {
        this.conversations.afterAppend.run(...this.rowUpdate(id, length, messages));
        const opening = openingWords(messages);
        if (opening) this.conversations.setOpeningWordsIfUnset.run(opening, id);
      } else if (start === 0) {
        this.conversations.setBranchCount.run(this.messageRows.branchCount(id), id);
      }
      this.conversations.bumpVersion.run(id);
      return length;
    })();
  }

  async replaceMessages(id: string, messages: Message[], branch = "main"): Promise<void> {
    this.writes += 1;
    this.database.transaction(() => {
      this.requireExisting(id);
      this.messageRows.clear(id, branch);
      this.messageRows.insertAt(id, branch, 0, messages);
      if (branch === "main") {
        this.conversations.afterReplace.run(...this.rowUpdate(id, messages.length, messages));
        this.conversations.setOpeningWords.run(openingWords(messages), id);
      }
      this.conversations.setBranchCount.run(this.messageRows.branchCount(id), id);
      this.conversations.bumpVersion.run(id);
    })();
  }

  async updateConfig(id: string, config: ChatConfig): Promise<void> {
    this.writes += 1;
    this.database.transaction(() => {
      const row = this.requireExisting(id);
      this.conversations.setConfig.run(
        JSON.stringify(config),
        config.chat.name ?? row.name,
        config.chat.workspace ?? row.workspace,
        nowSeconds(),
        id,
      );
      this.conversations.bumpVersion.run(id);
    })();
  }

  async rename(id: string, name: string): Promise<void> {
    this.writes += 1;
    this.database.transaction(() => {
      this.requireExisting(id);
      this.conversations.setName.run(name, name, nowSeconds(), id);
      this.conversations.bumpVersion.run(id);
    })();
  }

  async delete(id: string): Promise<boolean> {
    this.writes += 1;
    return this.conversations.remove.run(id).changes > 0;
  }

  async changeToken(): Promise<string> {
    return `${this.writes}.${this.dataVersion.get()}`;
  }

  async close(): Promise<void> {
    if (!this.database.open) return;
    try {
      this.drafts.flush();
    } catch {
      // A draft is a safety net; closing goes on without it.
    }
    // Before the main connection closes: as the last one open, it checkpoints and removes the WAL.
    await this.checkpointer?.close();
    this.database.close();
  }

  /** The parameters of afterAppend/afterReplace: the row's new length, last message and the batch's totals. */
  private rowUpdate(id: string, length: number, messages: Message[]): unknown[] {
    const totals = totalsOf(messages);
    const last = messages[messages.length - 1];
    return [nowSeconds(), length, last?.role ?? null, previewOf(last), totals.cost, totals.input, totals.output, id];
  }

  private requireExisting(id: string): ConversationRow {
    const row = this.conversations.selectOne.get(id);
    if (!row) throw new NotFoundError(`Conversation not found: ${id}`);
    return row;
  }
}
