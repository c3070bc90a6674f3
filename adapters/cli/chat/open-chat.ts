/**
 * Opens the conversation a `gptme` run works on: the shared SQLite store, the model registry and
 * the same conversation service the server uses, so a chat started here looks in the web UI like
 * one started there (system prompt, config, workspace). Resumes `--name X` when X exists, the most
 * recent conversation with `-r`, else creates a new one with a gptme-style id.
 */
import { join } from "node:path";
import { configDirectory, databasePath, dataDirectory } from "../../../runtime/config/paths.js";
import { conversationIdFor } from "../../../runtime/conversations/names.js";
import { createConversationService } from "../../../runtime/conversations/service.js";
import { systemPromptBuilder } from "../../../runtime/conversations/system-prompt.js";
import type { McpManager } from "../../../runtime/mcp/manager.js";
import type { LanguageModel, ModelRegistry } from "../../../runtime/models/model.js";
import { createModelRegistry } from "../../../runtime/models/registry.js";
import type { ConversationService } from "../../../runtime/runtime.js";
import { createSandboxManager, type SandboxManager } from "../../../runtime/sandbox/manager.js";
import { resolveSandboxSettings } from "../../../runtime/sandbox/settings.js";
import type { Sandbox } from "../../../runtime/sandbox/types.js";
import { SqliteConversationStore } from "../../../runtime/store/sqlite/sqlite-store.js";
import type { ChatSettings, Conversation, ConversationStore } from "../../../runtime/store/types.js";
import { createToolRegistry } from "../../../runtime/tools/registry.js";
import type { ToolRegistry } from "../../../runtime/tools/tool.js";
import type { ChatOptions } from "../arguments.js";
import { CliError } from "../exit.js";

export interface Chat {
  readonly options: ChatOptions;
  readonly store: ConversationStore;
  readonly models: ModelRegistry;
  readonly service: ConversationService;
  readonly dataDirectory: string;
  readonly databasePath: string;
  readonly env: NodeJS.ProcessEnv;
  /** `~/.config/gptme/config.toml`, where `[mcp]` is read (with the workspace's gptme.toml). */
  readonly userConfigFile: string;
  /** The conversation's MCP servers, once the chat mode attached them (`chat-mcp.ts`). */
  mcp?: McpManager;
  /** Changes on `/fork`. */
  conversationId: string;
  /** Changes on `/model`. */
  model: LanguageModel;
  /** True when an existing conversation was opened. */
  readonly resumed: boolean;
  conversation(): Promise<Conversation>;
  /** The tools of the conversation's config. */
  tools(): Promise<ToolRegistry>;
  /** Where the conversation's tools run (none by default, as gptme; `--sandbox bwrap`). */
  sandboxFor(conversation: Conversation): Sandbox;
  close(): Promise<void>;
}

export async function openChat(options: ChatOptions, env: NodeJS.ProcessEnv = process.env): Promise<Chat> {
  const models = createModelRegistry({ env, flagModel: options.model ?? null });
  const selectedTools = options.tools ? selectTools(options.tools) : undefined;
  const data = dataDirectory(env);
  const database = databasePath(env);
  const sandboxes = openSandboxes(options, env, data, database);
  const store = SqliteConversationStore.open(database);
  const workspace = process.cwd();
  const service = createConversationService({
    store,
    dataDirectory: data,
    defaultWorkspace: workspace,
    toolNames: () => selectedTools ?? createToolRegistry().all().map((tool) => tool.name),
    systemPrompt: systemPromptBuilder(models),
    removeSandbox: (id) => sandboxes.remove(id),
  });
  try {
    const existing = await findExisting(options, store);
    let model: LanguageModel;
    let conversationId: string;
    if (existing) {
      model = models.resolve(options.model ?? existing.config.chat.model);
      conversationId = existing.id;
      await applyOverrides(existing, options, model, selectedTools, service);
    } else {
      model = models.resolve(options.model);
      conversationId = options.name ?? (await freshId(store));
      const chat: ChatSettings = {
        model: model.id,
        tool_format: options.toolFormat ?? "markdown",
        stream: options.stream ?? true,
        interactive: !options.nonInteractive,
        workspace: options.workspace ?? workspace,
      };
      if (selectedTools) chat.tools = selectedTools;
      if (options.name) chat.name = options.name;
      await service.create(conversationId, { config: { chat }, prompt: options.system ?? "full" });
    }
    return createChat({ options, env, store, models, service, data, database, conversationId, model, resumed: existing !== null, sandboxes });
  } catch (error) {
    await sandboxes.disposeAll();
    await store.close();
    throw error;
  }
}

/**
 * The terminal `gptme` runs tools unsandboxed by default, as gptme does (it is the user's own
 * project in the user's own terminal); `--sandbox bwrap` (or `GPTME_SANDBOX`) isolates them.
 */
function openSandboxes(options: ChatOptions, env: NodeJS.ProcessEnv, data: string, database: string): SandboxManager {
  const configPath = join(configDirectory(env), "config.toml");
  let settings;
  try {
    settings = resolveSandboxSettings({ backendFlag: options.sandbox, env, configPath, defaultBackend: "none" });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const manager = createSandboxManager({
    settings,
    environment: env,
    secrets: [data, configDirectory(env), database, `${database}-wal`, `${database}-shm`, `${database}-journal`],
  });
  if (manager.report.backend !== settings.backend) process.stderr.write(`gptme: warning: ${manager.report.warning}\n`);
  return manager;
}

/**
 * `-t` names checked strictly. An empty selection is stored as `["none"]`: an empty list means
 * "the defaults" to the server and the prompt builder, while `none` means none everywhere.
 */
function selectTools(allowlist: string[]): string[] {
  const names = createToolRegistry({ tools: allowlist, strict: true }).all().map((tool) => tool.name);
  return names.length > 0 ? names : ["none"];
}

async function findExisting(options: ChatOptions, store: ConversationStore): Promise<Conversation | null> {
  if (options.name) return store.get(options.name);
  if (!options.resume) return null;
  const [latest] = (await store.list({ limit: 1 })).items;
  if (!latest) throw new CliError("There is no conversation to resume yet: start one with gptme 'your prompt'");
  return store.get(latest.id);
}

/** Flags given when resuming win over the stored config, and are saved (as gptme does). */
async function applyOverrides(
  conversation: Conversation,
  options: ChatOptions,
  model: LanguageModel,
  selectedTools: string[] | undefined,
  service: ConversationService,
): Promise<void> {
  const chat: Record<string, unknown> = {};
  if (options.model && model.id !== conversation.config.chat.model) chat.model = model.id;
  if (selectedTools) chat.tools = selectedTools;
  if (options.toolFormat) chat.tool_format = options.toolFormat;
  if (options.stream !== undefined) chat.stream = options.stream;
  if (options.workspace) chat.workspace = options.workspace;
  if (Object.keys(chat).length > 0) await service.updateConfig(conversation.id, { chat });
}

async function freshId(store: ConversationStore): Promise<string> {
  const base = conversationIdFor();
  for (let suffix = 1; ; suffix++) {
    const id = suffix === 1 ? base : `${base}-${suffix}`;
    if (!(await store.get(id))) return id;
  }
}

interface ChatParts {
  options: ChatOptions;
  env: NodeJS.ProcessEnv;
  store: ConversationStore;
  models: ModelRegistry;
  service: ConversationService;
  data: string;
  database: string;
  conversationId: string;
  model: LanguageModel;
  resumed: boolean;
  sandboxes: SandboxManager;
}

function createChat(parts: ChatParts): Chat {
  const registries = new Map<string, ToolRegistry>();
  const chat: Chat = {
    options: parts.options,
    store: parts.store,
    models: parts.models,
    service: parts.service,
    dataDirectory: parts.data,
    databasePath: parts.database,
    env: parts.env,
    userConfigFile: join(configDirectory(parts.env), "config.toml"),
    conversationId: parts.conversationId,
    model: parts.model,
    resumed: parts.resumed,
    async conversation() {
      const conversation = await parts.store.get(chat.conversationId);
      if (!conversation) throw new CliError(`Conversation ${chat.conversationId} is gone (deleted elsewhere?)`);
      return conversation;
    },
    async tools() {
      const names = (await chat.conversation()).config.chat.tools;
      const key = JSON.stringify(names ?? null);
      let registry = registries.get(key);
      if (!registry) {
        registry = createToolRegistry({ tools: names && names.length > 0 ? names : undefined });
        registries.set(key, registry);
      }
      return registry;
    },
    sandboxFor(conversation) {
      return parts.sandboxes.forConversation(conversation.id, conversation.workspace);
    },
    async close() {
      await chat.mcp?.close();
      await parts.sandboxes.disposeAll();
      await parts.store.close();
    },
  };
  return chat;
}
