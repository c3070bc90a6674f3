/**
 * The parts of the local runtime that gptme HEAD's newer routes use: the tool catalogue, slash
 * commands, tasks, user settings, provider health, elicitation and the project's agent config.
 */
import { join } from "node:path";
import { describeTools } from "./catalog/tool-catalog.js";
import { queryTools } from "./catalog/tool-query.js";
import { createCommandRunner } from "./commands/command-runner.js";
import { configDirectory } from "./config/paths.js";
import { readProjectAgent } from "./config/project-config.js";
import type { ModelRegistry } from "./models/model.js";
import { createProviderHealthChecker } from "./models/provider-health.js";
import type { ConversationService, Runtime, ServerSettings } from "./runtime.js";
import { createNamer } from "./sessions/auto-name.js";
import { createElicitations } from "./sessions/elicitation.js";
import type { SessionManager } from "./sessions/types.js";
import { createSettingsService } from "./settings/settings-service.js";
import type { UserSettings } from "./settings/user-settings.js";
import type { TaskStore } from "./store/task-store.js";
import type { ConversationStore } from "./store/types.js";
import { createTaskService } from "./tasks/task-service.js";

export interface HeadFeatureOptions {
  env: NodeJS.ProcessEnv;
  tasks: TaskStore;
  store: ConversationStore;
  models: ModelRegistry;
  conversations: ConversationService;
  sessions: SessionManager;
  userSettings: UserSettings;
  settings: ServerSettings;
  /** `config.toml` read for `[env]` and `[models]`; null when none is read (tests). */
  userConfigPath: string | null;
  /** Where task repositories are cloned from (`GPTME_TASK_REPOSITORY_BASE_URL`, default GitHub). */
  repositoryBaseUrl?: string;
}

export type HeadFeatures = Pick<
  Runtime,
  "tools" | "commands" | "tasks" | "userSettings" | "providerHealth" | "elicitations" | "projectAgent"
>;

export function createHeadFeatures(options: HeadFeatureOptions): HeadFeatures {
  const providerHealth = createProviderHealthChecker(options.models);
  const namer = createNamer(options.store);
  return {
    tools: {
      describe: describeTools,
      query: (query) => queryTools(describeTools(), query),
    },
    commands: createCommandRunner({
      store: options.store,
      models: options.models,
      conversations: options.conversations,
      autoName: async (conversationId) => {
        const conversation = await options.store.get(conversationId);
        const name = conversation?.config.chat.model || options.models.defaultModel();
        return namer(conversationId, name ? options.models.resolve(name) : null);
      },
    }),
    tasks: createTaskService({
      tasks: options.tasks,
      store: options.store,
      conversations: options.conversations,
      dataDirectory: options.settings.dataDirectory,
      repositoryBaseUrl: options.repositoryBaseUrl ?? options.env.GPTME_TASK_REPOSITORY_BASE_URL ?? "https://github.com/",
      listShape: options.env.GPTME_TASKS_LIST?.trim().toLowerCase() === "array" ? "array" : "object",
    }),
    userSettings: createSettingsService({
      settings: options.userSettings,
      models: options.models,
      providerHealth,
      configPath: options.userConfigPath ?? join(configDirectory(options.env), "config.toml"),
      databasePath: options.settings.databasePath,
    }),
    providerHealth,
    elicitations: createElicitations((conversationId, event) => options.sessions.publish(conversationId, event)),
    projectAgent: () => readProjectAgent(options.settings.defaultWorkspace),
  };
}
