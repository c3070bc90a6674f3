/** Conversation operations with file-system effects: workspaces, system prompts, config merges. */
import { rmSync } from "node:fs";
import type { ConversationService, CreateConversationInput } from "../runtime.js";
import { NotFoundError } from "../errors.js";
import { conversationDirectory } from "../config/paths.js";
import type { ChatConfig, ConversationStore, Message } from "../store/types.js";
import { type ChatConfigPatch, defaultChatConfig, mergeChatConfig } from "./chat-config.js";
import { resolveWorkspace } from "./workspaces.js";

export interface SystemPromptRequest {
  config: ChatConfig;
  workspace: string;
  /** `"full"`, `"short"` or a custom prompt. */
  prompt: string;
}

export type SystemPromptBuilder = (request: SystemPromptRequest) => Promise<Message[]>;

export interface ConversationServiceOptions {
  store: ConversationStore;
  dataDirectory: string;
  defaultWorkspace: string;
  toolNames: () => string[];
  systemPrompt: SystemPromptBuilder;
  /** Ends the conversation's sandbox and everything running in it (on delete). */
  removeSandbox?: (id: string) => Promise<void>;
}

const isPromptMessage = (message: Message) => message.role === "system" && message.pinned === true && message.hide === true;

export function createConversationService(options: ConversationServiceOptions): ConversationService {
  const directory = (id: string) => conversationDirectory(options.dataDirectory, id);

  return {
    directory,

    async create(id: string, input: CreateConversationInput) {
      const base = defaultChatConfig(options.toolNames());
      const config = mergeChatConfig(base, (input.config ?? {}) as ChatConfigPatch);
      if (!config.chat.tools || config.chat.tools.length === 0) config.chat.tools = options.toolNames();
      const workspace = resolveWorkspace(config.chat.workspace, {
        conversationDirectory: directory(id),
        defaultWorkspace: options.defaultWorkspace,
      });
      config.chat.workspace = workspace;
      const prompt = await options.systemPrompt({ config, workspace, prompt: input.prompt ?? "full" });
      await options.store.create({
        id,
        name: config.chat.name,
        config,
        workspace,
        messages: [...prompt, ...(input.messages ?? [])],
      });
    },

    async updateConfig(id: string, patch: ChatConfigPatch) {
      const conversation = await options.store.get(id);
      if (!conversation) throw new NotFoundError(`Conversation not found: ${id}`);
      const config = mergeChatConfig(conversation.config, patch);
      if (patch.chat?.workspace !== undefined && patch.chat.workspace !== conversation.workspace) {
        config.chat.workspace = resolveWorkspace(String(patch.chat.workspace), {
          conversationDirectory: directory(id),
          defaultWorkspace: options.defaultWorkspace,
        });
      }
      await options.store.updateConfig(id, config);
      const toolsChanged =
        JSON.stringify(config.chat.tools) !== JSON.stringify(conversation.config.chat.tools) ||
        config.chat.tool_format !== conversation.config.chat.tool_format;
      if (toolsChanged) {
        const messages = await options.store.messages(id);
        const firstOther = messages.findIndex((message) => !isPromptMessage(message));
        const rest = firstOther === -1 ? [] : messages.slice(firstOther);
        const prompt = await options.systemPrompt({
          config,
          workspace: config.chat.workspace ?? conversation.workspace,
          prompt: "full",
        });
        await options.store.replaceMessages(id, [...prompt, ...rest]);
      }
      return { config, tools: config.chat.tools ?? [] };
    },

    async delete(id: string) {
      const deleted = await options.store.delete(id);
      if (deleted) {
        await options.removeSandbox?.(id);
        rmSync(directory(id), { recursive: true, force: true });
      }
      return deleted;
    },
  };
}
