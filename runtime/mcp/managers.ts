/**
 * The server process's MCP managers, one per conversation (for the wiring into sessions): created
 * on a conversation's first step, closed when it goes idle or is deleted, all closed at shutdown.
 */
import { McpManager, type McpManagerOptions } from "./manager.js";

export class McpManagers {
  private readonly managers = new Map<string, { workspace: string; manager: McpManager }>();

  /** `options` builds a conversation's manager: its workspace, its sandbox's spawner, how to ask its user. */
  constructor(private readonly options: (conversationId: string, workspace: string) => McpManagerOptions) {}

  /** The conversation's manager; a new one (the old one closed) when its workspace changed. */
  async forConversation(conversationId: string, workspace: string): Promise<McpManager> {
    const existing = this.managers.get(conversationId);
    if (existing && existing.workspace === workspace) return existing.manager;
    if (existing) await existing.manager.close();
    const manager = new McpManager(this.options(conversationId, workspace));
    this.managers.set(conversationId, { workspace, manager });
    return manager;
  }

  /**
   * The conversation's manager if it has one for `workspace`, else a fresh one that is not kept
   * (for reading the configuration without making the conversation hold a manager); `kept` says which.
   */
  peek(conversationId: string, workspace: string): { manager: McpManager; kept: boolean } {
    const existing = this.managers.get(conversationId);
    if (existing && existing.workspace === workspace) return { manager: existing.manager, kept: true };
    return { manager: new McpManager(this.options(conversationId, workspace)), kept: false };
  }

  /** Every conversation's manager (for listings across conversations). */
  all(): McpManager[] {
    return [...this.managers.values()].map((entry) => entry.manager);
  }

  get(conversationId: string): McpManager | undefined {
    return this.managers.get(conversationId)?.manager;
  }

  /** Stops the conversation's servers and forgets them (and its approvals). */
  async close(conversationId: string): Promise<void> {
    const existing = this.managers.get(conversationId);
    this.managers.delete(conversationId);
    await existing?.manager.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.managers.values()];
    this.managers.clear();
    await Promise.all(all.map((entry) => entry.manager.close()));
  }
}
