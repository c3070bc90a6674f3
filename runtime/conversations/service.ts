/** Conversation operations with file-system effects: workspaces, system prompts, config merges. */
import { rmSync } from "node:fs";
import type { ConversationService, CreateConversationInput } from "../runtime.js";
import { NotFoundError } from "../errors.js";
import { attachmentsDirectory, conversationDirectory } from "../config/paths.js";
import type { ChatConfig, ConversationStore, Message } from "../store/types.js";
import { type ChatConfigPatch, defaultChatConfig, mergeChatConfig } from "./chat-config.js";
import { checkConversationMcp } from "../mcp/config.js";
import { saveUploads } from "../attachments/upload.js";
import { forkConversation } from "./fork.js";
import { deleteMessage, editMessage } from "./message-edits.js";
import { resolveMessageFiles } from "./message-files.js";
import { validateToolNames } from "./tool-names.js";
import { assertWorkspaceMovable, assertWorkspaceShared, resolveWorkspace, workspacePath } from "./workspaces.js";

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
  /** `--allow-workspace`: roots besides its log dir that a config PATCH may move a workspace into. */
  allowedWorkspaceRoots?: string[];
  /** Ends the conversation's sandbox and everything running in it (on delete). */
  removeSandbox?: (id: string) => Promise<void>;
  /** Replicas: where every replica sees the same files; a new conversation's workspace must be under one of them. */
  sharedWorkspaceRoots?: string[];
}

const isPromptMessage = (message: Message) => message.role === "system" && message.pinned === true && message.hide === true;

export function createConversationService(options: ConversationServiceOptions): ConversationService {
  const directory = (id: string) => conversationDirectory(options.dataDirectory, id);
  const placesOf = (id: string, workspace: string) => ({ workspace, attachments: attachmentsDirectory(options.dataDirectory, id) });

  return {
    directory,
    attachmentsDirectory: (id: string) => attachmentsDirectory(options.dataDirectory, id),

    async create(id: string, input: CreateConversationInput) {
      const base = defaultChatConfig(options.toolNames());
      const config = mergeChatConfig(base, (input.config ?? {}) as ChatConfigPatch);
      // MCP hook: a bad `mcp` is refused with the key named, not found at the next step.
      if (config.mcp !== undefined) checkConversationMcp(config.mcp);
      if (!config.chat.tools || config.chat.tools.length === 0) config.chat.tools = options.toolNames();
      const places = { conversationDirectory: directory(id), defaultWorkspace: options.defaultWorkspace };
      if (options.sharedWorkspaceRoots) assertWorkspaceShared(workspacePath(config.chat.workspace, places), options.sharedWorkspaceRoots);
      const workspace = resolveWorkspace(config.chat.workspace, places);
      config.chat.workspace = workspace;
      const messages = (input.messages ?? []).map((message) =>
        message.files?.length ? { ...message, files: resolveMessageFiles(message.files, placesOf(id, workspace)) } : message,
      );
      const prompt = await options.systemPrompt({ config, workspace, prompt: input.prompt ?? "full" });
      await options.store.create({
        id,
        name: config.chat.name,
        config,
        workspace,
        messages: [...prompt, ...messages],
      });
    },

    async updateConfig(id: string, patch: ChatConfigPatch) {
      const conversation = await options.store.get(id);
      if (!conversation) throw new NotFoundError(`Conversation not found: ${id}`);
      if (Array.isArray(patch.chat?.tools)) validateToolNames(patch.chat.tools as string[]);
      const config = mergeChatConfig(conversation.config, patch);
      if (patch.mcp !== undefined) checkConversationMcp(config.mcp);
      if (patch.chat?.workspace !== undefined && patch.chat.workspace !== conversation.workspace) {
        const places = { conversationDirectory: directory(id), defaultWorkspace: options.defaultWorkspace };
        // Checked before the path is looked at, so a refused PATCH tells nothing about other directories.
        if (workspacePath(String(patch.chat.workspace), places) !== conversation.workspace) {
          assertWorkspaceMovable(workspacePath(String(patch.chat.workspace), places), [directory(id), ...(options.allowedWorkspaceRoots ?? [])]);
        }
        config.chat.workspace = resolveWorkspace(String(patch.chat.workspace), places);
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

    validateTools: validateToolNames,

    editMessage: (id, index, edit, editOptions) => editMessage(options.store, id, index, edit, editOptions),
    deleteMessage: (id, index, editOptions) => deleteMessage(options.store, id, index, editOptions),
    fork: (request) => forkConversation(options.store, options.dataDirectory, request),
    upload: (id, request) => saveUploads(attachmentsDirectory(options.dataDirectory, id), request),

    async resolveFiles(id: string, workspace: string, files: string[]) {
      return resolveMessageFiles(files, placesOf(id, workspace));
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
