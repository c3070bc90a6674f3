/**
 * The conversation store on PostgreSQL, with the SQLite store's semantics. Each write batch is one
 * transaction that first locks the conversation's row (so concurrent writers to one conversation,
 * in this process or another, take turns and positions never collide) and last bumps a change
 * counter (so `changeToken()` sees every replica's writes). A fenced view (`fenced`) also proves
 * in each write's transaction that its lease is still held.
 */
import { ConflictError, NotFoundError } from "../../errors.js";
import type { LeaseFence } from "../leases.js";
import { decodeCursor, encodeCursor } from "../list-cursor.js";
import { openingWords } from "../previews.js";
import { type ConversationRow, previewOf, rowToConversation, rowToSummary, totalsOf } from "../sqlite/conversation-rows.js";
import type {
  ChatConfig,
  Conversation,
  ConversationPage,
  ConversationStore,
  ListOptions,
  Message,
  NewConversation,
} from "../types.js";
import { conversationQueries as conversations, displayText } from "./conversation-rows.js";
import { searchConversations } from "./conversation-search.js";
import type { PostgresDatabase, Queryable } from "./database.js";
import { PostgresDraftStore } from "./draft-store.js";
import { holdFence } from "./lease-store.js";
import { messageQueries as messageRows } from "./message-rows.js";

export class PostgresConversationStore implements ConversationStore {
  /** The replies being generated (see DraftStore), fenced like this store. */
  readonly drafts: PostgresDraftStore;

  constructor(
    readonly database: PostgresDatabase,
    private readonly fence: LeaseFence | null = null,
  ) {
    this.drafts = new PostgresDraftStore(database, fence);
  }

  /** The same store whose every write first proves that `fence` still holds its lease (LeaseLostError otherwise). */
  fenced(fence: LeaseFence): PostgresConversationStore {
    return new PostgresConversationStore(this.database, fence);
  }

  async list(options: ListOptions): Promise<ConversationPage> {
    const limit = options.limit + 1;
    const cursor = options.cursor ? decodeCursor(options.cursor) : undefined;
    if (options.query) {
      const hits = await searchConversations(this.database, options.query, limit, cursor);
      const hasMore = hits.length > options.limit;
      const page = hasMore ? hits.slice(0, options.limit) : hits;
      const last = page[page.length - 1];
      return { items: page.map((hit) => hit.summary), nextCursor: hasMore && last ? encodeCursor(last) : null };
    }
    const rows = await conversations.page(this.database, limit, cursor);
    const hasMore = rows.length > options.limit;
    const page = hasMore ? rows.slice(0, options.limit) : rows;
    const last = page[page.length - 1];
    return { items: page.map(rowToSummary), nextCursor: hasMore && last ? encodeCursor(last) : null };
  }

  async get(id: string): Promise<Conversation | null> {
    const row = await conversations.selectOne(this.database, id);
    return row ? rowToConversation(row) : null;
  }

  async create(conversation: NewConversation): Promise<void> {
    const created = conversation.created ?? Date.now() / 1000;
    const messages = conversation.messages;
    const last = messages[messages.length - 1];
    const totals = totalsOf(messages);
    const name = conversation.name ?? conversation.config.chat.name ?? conversation.id;
    await this.write(conversation.id, async (client) => {
      const inserted = await conversations.insert(client, [
        conversation.id,
        name,
        created,
        JSON.stringify(conversation.config),
        conversation.workspace,
        messages.length,
        last?.role ?? null,
        displayText(previewOf(last)),
        totals.cost,
        totals.input,
        totals.output,
        displayText(openingWords(messages)),
      ]);
      if (!inserted) throw new ConflictError(`Conversation already exists: ${conversation.id}`);
      await messageRows.insertAt(client, conversation.id, "main", 0, messages);
    });
  }

  async messages(id: string, branch = "main"): Promise<Message[]> {
    const messages = await messageRows.branch(this.database, id, branch);
    if (messages.length === 0) await this.requireExisting(this.database, id);
    return messages;
  }

  async branches(id: string): Promise<Record<string, Message[]>> {
    const branches = await messageRows.allBranches(this.database, id);
    if (Object.keys(branches).length === 1 && branches.main!.length === 0) await this.requireExisting(this.database, id);
    return branches;
  }

  async branchLengths(id: string): Promise<Record<string, number>> {
    const lengths = await messageRows.lengths(this.database, id);
    if (Object.keys(lengths).length === 1 && lengths.main === 0) await this.requireExisting(this.database, id);
    return lengths;
  }

  async messageRange(id: string, branch: string, start: number, end: number): Promise<Message[]> {
    const messages = end > start ? await messageRows.range(this.database, id, branch, start, end) : [];
    if (messages.length === 0) await this.requireExisting(this.database, id);
    return messages;
  }

  async append(id: string, messages: Message[], branch = "main"): Promise<number> {
    return this.write(id, async (client) => {
      await this.lockExisting(client, id);
      // After the lock, in a statement of its own: it sees what the writer before us committed.
      const start = await messageRows.length(client, id, branch);
      await messageRows.insertAt(client, id, branch, start, messages);
      const length = start + messages.length;
      if (branch === "main") {
        await conversations.afterAppend(client, id, length, messages);
        const opening = openingWords(messages);
        if (opening) await conversations.setOpeningWords(client, id, opening, true);
      } else if (start === 0) {
        await conversations.setBranchCount(client, id, await messageRows.branchCount(client, id));
      }
      return length;
    });
  }

  async replaceMessages(id: string, messages: Message[], branch = "main"): Promise<void> {
    await this.write(id, async (client) => {
      await this.lockExisting(client, id);
      await messageRows.clear(client, id, branch);
      await messageRows.insertAt(client, id, branch, 0, messages);
      if (branch === "main") {
        await conversations.afterReplace(client, id, messages);
        await conversations.setOpeningWords(client, id, openingWords(messages), false);
      }
      await conversations.setBranchCount(client, id, await messageRows.branchCount(client, id));
    });
  }

  async updateConfig(id: string, config: ChatConfig): Promise<void> {
    await this.write(id, async (client) => {
      const row = await this.lockExisting(client, id);
      await conversations.setConfig(client, id, JSON.stringify(config), config.chat.name ?? row.name, config.chat.workspace ?? row.workspace);
    });
  }

  async rename(id: string, name: string): Promise<void> {
    await this.write(id, async (client) => {
      const row = await this.lockExisting(client, id);
      const config = JSON.parse(row.config) as ChatConfig;
      config.chat = { ...config.chat, name };
      await conversations.setConfig(client, id, JSON.stringify(config), name, row.workspace);
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.write(id, (client) => conversations.remove(client, id));
  }

  async changeToken(): Promise<string> {
    return conversations.changeToken(this.database);
  }

  /** Ends the pool; a fenced view shares its parent's pool and leaves it open. */
  async close(): Promise<void> {
    if (!this.fence) await this.database.close();
  }

  /** One transaction: the fence (when fenced), `work`, then the change counter. */
  private write<T>(conversationId: string, work: (client: Queryable) => Promise<T>): Promise<T> {
    return this.database.transaction(async (client) => {
      if (this.fence) await holdFence(client, this.fence);
      const result = await work(client);
      await conversations.bumpChangeCounter(client, conversationId);
      return result;
    });
  }

  /** Locks the row for this write (and counts it in the conversation's version). */
  private async lockExisting(client: Queryable, id: string): Promise<ConversationRow> {
    const row = await conversations.lockForWrite(client, id);
    if (!row) throw new NotFoundError(`Conversation not found: ${id}`);
    return row;
  }

  private async requireExisting(database: Queryable, id: string): Promise<void> {
    if (!(await conversations.selectOne(database, id))) throw new NotFoundError(`Conversation not found: ${id}`);
  }
}
