/** Wires the local runtime: SQLite store, model providers, tools, the agent loop and live sessions. */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runAgentLoop } from "./agent/loop.js";
import { createFileAssets } from "./assets/file-assets.js";
import { databasePath as defaultDatabasePath, dataDirectory as defaultDataDirectory } from "./config/paths.js";
import { createConversationService } from "./conversations/service.js";
import { createModelRegistry, type ModelRegistryOptions } from "./models/registry.js";
import { createNamer } from "./sessions/auto-name.js";
import type { Runtime, ServerSettings } from "./runtime.js";
import { createSessionManager } from "./sessions/session-manager.js";
import { stopRegexWorker } from "./catalog/regex-search.js";
import { createHeadFeatures } from "./head-features.js";
import { createUserSettings } from "./settings/user-settings.js";
import { SqliteSettingsStore } from "./store/sqlite/settings-rows.js";
import { SqliteConversationStore } from "./store/sqlite/sqlite-store.js";
import { systemPromptBuilder } from "./conversations/system-prompt.js";
import { createToolRegistry, defaultToolNames, disposeTools } from "./tools/registry.js";
import { version } from "./version.js";
import { createWorkspaceFiles } from "./workspace/workspace-files.js";

export interface LocalRuntimeOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides `GPTME_DB` / the data dir default; `:memory:` for throwaway stores. */
  databasePath?: string;
  dataDirectory?: string;
  defaultWorkspace?: string;
  /** `--model`. */
  model?: string;
  /** `--tools` allowlist. */
  tools?: string[];
  corsOrigins?: string[];
  /** null disables auth. */
  authToken: string | null;
  bodyLimitBytes?: number;
  /** Where the built web UI lives (default `dist/web` of the package). */
  webRoot?: string;
  /** `~/.config/gptme/config.toml` by default; null to ignore it (tests). */
  userConfigPath?: string | null;
  /** Model request retries (tests shorten the backoff). */
  retry?: { attempts?: number; baseDelayMs?: number };
  /** Where task `target_repo`s are cloned from (default `GPTME_TASK_REPOSITORY_BASE_URL`, else GitHub). */
  taskRepositoryBaseUrl?: string;
  /** Provider base URLs to replace (proxies; the gptme test harness points them at the fake model). */
  baseURLs?: ModelRegistryOptions["baseURLs"];
}

export interface LocalRuntime {
  runtime: Runtime;
  close(): Promise<void>;
}

function packageWebRoot(): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  // Source: <package>/runtime/; compiled: <package>/dist/runtime/.
  return here.includes(`${join("dist", "runtime")}`) ? join(here, "..", "web") : join(here, "..", "dist", "web");
}

export function createLocalRuntime(options: LocalRuntimeOptions): LocalRuntime {
  const env = options.env ?? process.env;
  const dataDirectory = options.dataDirectory ?? defaultDataDirectory(env);
  const databasePath = options.databasePath ?? defaultDatabasePath(env);
  const store = SqliteConversationStore.open(databasePath);
  const settingsStore = new SqliteSettingsStore(store.database);
  const userSettings = createUserSettings(settingsStore, settingsStore.readSettingsSync());
  const models = createModelRegistry({
    env,
    flagModel: options.model ?? null,
    userConfigPath: options.userConfigPath,
    retry: options.retry,
    baseURLs: options.baseURLs,
    overrides: () => {
      const snapshot = userSettings.snapshot();
      return { env: snapshot.providerKeys, defaultModel: snapshot.defaultModel };
    },
  });
  const serverTools = options.tools;
  const toolNames = () => createToolRegistry({ tools: serverTools }).all().map((tool) => tool.name);
  const settings: ServerSettings = {
    version,
    authToken: options.authToken,
    corsOrigins: options.corsOrigins ?? [],
    bodyLimitBytes: options.bodyLimitBytes ?? 10 * 1024 * 1024,
    defaultWorkspace: options.defaultWorkspace ?? process.cwd(),
    dataDirectory,
    databasePath,
  };
  const conversations = createConversationService({
    store,
    dataDirectory,
    defaultWorkspace: settings.defaultWorkspace,
    toolNames,
    systemPrompt: systemPromptBuilder(models),
  });
  const registries = new Map<string, ReturnType<typeof createToolRegistry>>();
  const toolsFor = (names: string[] | undefined) => {
    const chosen = names && names.length > 0 ? names : (serverTools ?? defaultToolNames());
    const key = chosen.join(",");
    let registry = registries.get(key);
    if (!registry) registries.set(key, (registry = createToolRegistry({ tools: chosen })));
    return registry;
  };
  const sessions = createSessionManager({
    store,
    models,
    toolsFor,
    dataDirectory,
    runLoop: runAgentLoop,
    autoName: createNamer(store),
  });
  const headFeatures = createHeadFeatures({
    env,
    database: store.database,
    store,
    models,
    conversations,
    sessions,
    userSettings,
    settings,
    userConfigPath: options.userConfigPath === undefined ? null : options.userConfigPath,
    repositoryBaseUrl: options.taskRepositoryBaseUrl,
  });
  const runtime: Runtime = {
    ...headFeatures,
    settings,
    store,
    models,
    conversations,
    sessions,
    assets: createFileAssets(options.webRoot ?? packageWebRoot()),
    workspaceFiles: createWorkspaceFiles(),
    toolNames,
  };
  return {
    runtime,
    async close() {
      await sessions.close();
      await stopRegexWorker();
      await disposeTools();
      await store.close();
    },
  };
}
