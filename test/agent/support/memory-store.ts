/** A ConversationStore kept in memory, for loop tests. */
import type {
  ChatConfig,
  Conversation,
  ConversationPage,
  ConversationStore,
  ListOptions,
  Message,
  NewConversation,
} from "../../../runtime/store/types.js";

interface Stored {
  conversation: Conversation;
  branches: Map<string, Message[]>;
}

export class MemoryStore implements ConversationStore {
  private readonly conversations = new Map<string, Stored>();

  async list(options: ListOptions): Promise<ConversationPage> {
    const items = [...this.conversations.values()].map((stored) => summaryOf(stored)).slice(0, options.limit);
    return { items, nextCursor: null };
  }

  async get(id: string): Promise<Conversation | null> {
    const stored = this.conversations.get(id);
    return stored ? summaryOf(stored) : null;
  }

  async create(conversation: NewConversation): Promise<void> {
    if (this.conversations.has(conversation.id)) throw new Error(`Conversation already exists: ${conversation.id}`);
    const created = conversation.created ?? Date.now() / 1000;
    this.conversations.set(conversation.id, {
      conversation: {
        id: conversation.id,
        name: conversation.name ?? conversation.id,
        created,
        modified: created,
        messageCount: 0,
        branchCount: 1,
        workspace: conversation.workspace,
        lastMessageRole: null,
        lastMessagePreview: "",
        totalCost: 0,
        totalInputTokens: 0,
        totalOutputTokens: 0,
        firstUserMessagePreview: "",
        config: conversation.config,
        version: 0,
      },
      branches: new Map([["main", structuredClone(conversation.messages)]]),
    });
  }

  async messages(id: string, branch = "main"): Promise<Message[]> {
    return structuredClone(this.require(id).branches.get(branch) ?? []);
  }

  async branches(id: string): Promise<Record<string, Message[]>> {
    return Object.fromEntries(structuredClone([...this.require(id).branches.entries()]));
  }

  async branchLengths(id: string): Promise<Record<string, number>> {
    const lengths: Record<string, number> = { main: 0 };
    for (const [branch, messages] of this.require(id).branches) lengths[branch] = messages.length;
    return lengths;
  }

  async messageRange(id: string, branch: string, start: number, end: number): Promise<Message[]> {
    return structuredClone((this.require(id).branches.get(branch) ?? []).slice(start, end));
  }

  async append(id: string, messages: Message[], branch = "main"): Promise<number> {
    const stored = this.require(id);
    const log = stored.branches.get(branch) ?? [];
    log.push(...structuredClone(messages));
    stored.branches.set(branch, log);
    return log.length;
  }

  async replaceMessages(id: string, messages: Message[], branch = "main"): Promise<void> {
    this.require(id).branches.set(branch, structuredClone(messages));
  }

  async updateConfig(id: string, config: ChatConfig): Promise<void> {
    const stored = this.require(id);
    stored.conversation.config = { ...stored.conversation.config, ...config };
  }

  async rename(id: string, name: string): Promise<void> {
    this.require(id).conversation.name = name;
  }

  async delete(id: string): Promise<boolean> {
    return this.conversations.delete(id);
  }

  async changeToken(): Promise<string> {
    return String(Date.now());
  }

  async close(): Promise<void> {}

  private require(id: string): Stored {
    const stored = this.conversations.get(id);
    if (!stored) throw new Error(`Conversation not found: ${id}`);
    return stored;
  }
}

function summaryOf(stored: Stored): Conversation {
  const main = stored.branches.get("main") ?? [];
  const last = main[main.length - 1];
  return {
    ...stored.conversation,
    messageCount: main.length,
    branchCount: stored.branches.size,
    lastMessageRole: last?.role ?? null,
    lastMessagePreview: last?.content.slice(0, 100) ?? "",
  };
}
