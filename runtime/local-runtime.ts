/** Wires the local runtime: the store (SQLite, or PostgreSQL when given), model providers, tools, the agent loop and live sessions. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { NotFoundError } from "./errors.js";
import { fileURLToPath } from "node:url";
import { runAgentLoop } from "./agent/loop.js";
import { createFileAssets } from "./assets/file-assets.js";
import { attachmentsDirectory, configDirectory, databasePath as defaultDatabasePath, dataDirectory as defaultDataDirectory } from "./config/paths.js";
import { recoverInterruptedReplies } from "./conversations/recover-drafts.js";
import { createConversationService } from "./conversations/service.js";
import { createModelRegistry, type ModelRegistryOptions } from "./models/registry.js";
import { createConversationMcp } from "./mcp/conversation-mcp.js";
import { askThroughElicitations } from "./mcp/server-elicitation.js";
import { withMcpToolCatalog } from "./mcp/tool-catalog.js";
import type { McpTimeouts } from "./mcp/status.js";
import { generationObserver } from "./logging/generation-observer.js";
import type { ServerLog } from "./logging/server-log.js";
import { createMetrics } from "./metrics/metrics.js";
import { postgresStatistics } from "./metrics/postgres-statistics.js";
import { sqliteStatistics } from "./metrics/sqlite-statistics.js";
import { createNamer } from "./sessions/auto-name.js";
import type { Runtime, ServerSettings } from "./runtime.js";
import { createSessionManager, type SessionDependencies } from "./sessions/session-manager.js";
import { createSandboxManager } from "./sandbox/manager.js";
import { resolveSandboxSettings } from "./sandbox/settings.js";
import type { Replication } from "./replication/replication.js";
import { openSqliteStorage } from "./store/open-storage.js";
import type { Storage } from "./store/storage.js";
import type { PostgresStorage } from "./store/postgres/postgres-storage.js";
import { stopRegexWorker } from "./catalog/regex-search.js";
import { createHeadFeatures } from "./head-features.js";
import { createUserSettings } from "./settings/user-settings.js";
import { SqliteSettingsStore } from "./store/sqlite/settings-rows.js";
import { SqliteTaskStore } from "./store/sqlite/task-rows.js";
import { SqliteConversationStore } from "./store/sqlite/sqlite-store.js";
import { systemPromptBuilder } from "./conversations/system-prompt.js";
import { createToolRegistry, defaultToolNames } from "./tools/registry.js";
import { version } from "./version.js";
import { createWorkspaceFiles } from "./workspace/workspace-files.js";

export interface LocalRuntimeOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides `GPTME_DB` / the data dir default; `:memory:` for throwaway stores. */
  databasePath?: string;
  /** An opened store (PostgreSQL, see store/open-storage.ts); the SQLite file at `databasePath` otherwise. */
  storage?: Storage;
  dataDirectory?: string;
  defaultWorkspace?: string;
  /** `--model`. */
  model?: string;
  /** `--tools` allowlist. */
  tools?: string[];
  corsOrigins?: string[];
  /** `--host` (default `127.0.0.1`: the Host check is on). */
  bindHost?: string;
  /** `--allowed-hosts`. */
  allowedHosts?: string[];
  /** null disables auth. */
  authToken: string | null;
  bodyLimitBytes?: number;
  /** Where the built web UI lives (default `dist/web` of the package). */
  webRoot?: string;
  /** `~/.config/gptme/config.toml` by default; null to ignore it (tests). */
  userConfigPath?: string | null;
  /** `--allow-workspace` roots. */
  allowedWorkspaceRoots?: string[];
  /** Replaces providers' base URLs (tests point `openai` at the fake model server). */
  modelBaseURLs?: ModelRegistryOptions["baseURLs"];
  /** Model request retries (tests shorten the backoff). */
  retry?: { attempts?: number; baseDelayMs?: number };
  /** Bounds of the events kept for replay (tests shrink them). */
  eventLimits?: SessionDependencies["eventLimits"];
  /** `--sandbox` and `--sandbox-network` (else `GPTME_SANDBOX`, `[sandbox]`, then bwrap where it works). */
  sandbox?: { backend?: string; network?: string };
  /** How long a conversation's sandbox may sit unused before it is removed (default one hour). */
  sandboxIdleLimitMs?: number;
  /** Several replicas on PostgreSQL and NATS (see replication/replication.ts); closed with the runtime. */
  replication?: Replication;
  /** MCP start, call and idle limits (else `GPTME_MCP_*_TIMEOUT`; tests shorten them). */
  mcpTimeouts?: Partial<McpTimeouts>;
  /** How long a conversation without clients or activity stays live (default one hour; its MCP servers stop then). */
  sessionIdleLimitMs?: number;
  /** `--metrics-public`: serve `GET /api/v0/metrics` without the token. */
  metricsPublic?: boolean;
  /** Where generation events are logged (the server's log); none by default. */
  log?: ServerLog;
  /** Where task `target_repo`s are cloned from (default `GPTME_TASK_REPOSITORY_BASE_URL`, else GitHub). */
  taskRepositoryBaseUrl?: string;
}

export interface LocalRuntime {
  runtime: Runtime;
  /** Stores the replies a crash interrupted (their drafts) as `[INTERRUPTED]` messages; how many. */
  recoverInterruptedReplies(): Promise<number>;
  close(): Promise<void>;
}

function sqliteSettings(store: SqliteConversationStore): { store: SqliteSettingsStore; initial: Record<string, unknown> } {
  const settings = new SqliteSettingsStore(store.database);
  return { store: settings, initial: settings.readSettingsSync() };
}

/** `<package>/dist/web`, found from this module: source (`runtime/`), compiled (`dist/runtime/`) or bundled (`dist/server/`). */
function packageWebRoot(): string {
  let directory = fileURLToPath(new URL(".", import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    if (existsSync(join(directory, "package.json"))) return join(directory, "dist", "web");
    directory = dirname(directory);
  }
  return join(fileURLToPath(new URL(".", import.meta.url)), "..", "dist", "web");
}

export function createLocalRuntime(options: LocalRuntimeOptions): LocalRuntime {
  const env = options.env ?? process.env;
  const dataDirectory = options.dataDirectory ?? defaultDataDirectory(env);
  const userConfigPath = options.userConfigPath === undefined ? join(configDirectory(env), "config.toml") : options.userConfigPath;
  const sandboxSettings = resolveSandboxSettings({
    backendFlag: options.sandbox?.backend,
    networkFlag: options.sandbox?.network,
    env,
    configPath: userConfigPath,
    defaultBackend: "bwrap",
  });
  const storage = options.storage ?? openSqliteStorage(options.databasePath ?? defaultDatabasePath(env));
  const store = storage.conversations;
  // Tasks and user settings (gptme HEAD's routes): in the SQLite file, or in PostgreSQL beside the
  // conversations (shared by replicas); a SQLite file of this process only for a store that has neither.
  const localStore =
    storage.kind === "sqlite"
      ? (store as SqliteConversationStore)
      : storage.tasks && storage.settings
        ? null
        : SqliteConversationStore.open(join(dataDirectory, `server-local-${options.replication?.replicaId ?? "postgres"}.db`));
  const settingsSource = storage.settings ?? sqliteSettings(localStore!);
  const taskStore = storage.tasks ?? new SqliteTaskStore(localStore!.database);
  const metrics = createMetrics({
    storeStatistics:
      storage.kind === "sqlite"
        ? sqliteStatistics((store as SqliteConversationStore).database, storage.location)
        : postgresStatistics((storage as PostgresStorage).database),
  });
  const userSettings = createUserSettings(settingsSource.store, settingsSource.initial, () => options.replication?.settingsChanged());
  options.replication?.onSettingsChanged(() => userSettings.reload());
  // What no conversation's tools may see: the store (and its journal files), the data directory, the config with the keys.
  const databasePaths = [storage.kind === "sqlite" ? storage.location : localStore?.database.name]
    .filter((path): path is string => path !== undefined && path !== ":memory:");
  const databaseFiles = databasePaths.flatMap((path) => ["", "-wal", "-shm", "-journal"].map((suffix) => path + suffix));
  const sandboxes = createSandboxManager({
    settings: sandboxSettings,
    environment: env,
    secrets: [dataDirectory, configDirectory(env), ...(userConfigPath ? [userConfigPath] : []), ...databaseFiles],
    attachmentsOf: (conversationId) => attachmentsDirectory(dataDirectory, conversationId),
    idleLimitMs: options.sandboxIdleLimitMs,
  });
  const models = createModelRegistry({
    env,
    flagModel: options.model ?? null,
    userConfigPath: options.userConfigPath,
    retry: options.retry,
    baseURLs: options.modelBaseURLs,
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
    bindHost: options.bindHost ?? "127.0.0.1",
    allowedHosts: options.allowedHosts ?? [],
    bodyLimitBytes: options.bodyLimitBytes ?? 10 * 1024 * 1024,
    defaultWorkspace: options.defaultWorkspace ?? process.cwd(),
    dataDirectory,
    databasePath: storage.location,
    allowedWorkspaceRoots: options.allowedWorkspaceRoots ?? [],
    sandbox: sandboxes.report,
    metricsPublic: options.metricsPublic ?? false,
  };
  const mcp = createConversationMcp({
    userConfigFile: userConfigPath,
    sandboxFor: (conversationId, workspace) => sandboxes.forConversation(conversationId, workspace),
    env,
    timeouts: options.mcpTimeouts,
    onStatus: (conversationId, server) => sessions.publish(conversationId, { type: "mcp_server_status", server }),
    ask: (conversationId, request, signal) => askThroughElicitations(headFeatures.elicitations)(conversationId, request, signal),
  });
  const conversations = createConversationService({
    store,
    dataDirectory,
    defaultWorkspace: settings.defaultWorkspace,
    toolNames,
    systemPrompt: systemPromptBuilder(models),
    allowedWorkspaceRoots: settings.allowedWorkspaceRoots,
    removeSandbox: async (id) => {
      await mcp.close(id);
      await sandboxes.remove(id);
    },
    sharedWorkspaceRoots: options.replication ? [dataDirectory, settings.defaultWorkspace, ...settings.allowedWorkspaceRoots] : undefined,
  });
  const registries = new Map<string, ReturnType<typeof createToolRegistry>>();
  const toolsFor = (names: string[] | undefined) => {
    const chosen = names && names.length > 0 ? names : (serverTools ?? defaultToolNames());
    const key = chosen.join(",");
    let registry = registries.get(key);
    if (!registry) registries.set(key, (registry = createToolRegistry({ tools: chosen })));
    return registry;
  };
  // A sandbox not seen before is one started (the manager makes a new one when one broke or moved).
  const startedSandboxes = new WeakSet<object>();
  const localSessions = createSessionManager({
    store,
    models,
    toolsFor,
    sandboxFor: (conversationId, workspace) => {
      const sandbox = sandboxes.forConversation(conversationId, workspace);
      if (!startedSandboxes.has(sandbox)) {
        startedSandboxes.add(sandbox);
        metrics.sandboxStarted(sandboxes.report.backend);
      }
      return sandbox;
    },
    dataDirectory,
    runLoop: runAgentLoop,
    autoName: createNamer(store),
    eventLimits: options.eventLimits,
    drafts: storage.drafts,
    mcp,
    onIdle: (conversationId) => void mcp.close(conversationId),
    idleLimitMs: options.sessionIdleLimitMs,
    observeGeneration: generationObserver({ metrics, log: options.log }),
    ...options.replication?.sessionDependencies(),
  });
  const sessions = options.replication ? options.replication.sessions(localSessions) : localSessions;
  const headFeatures = createHeadFeatures({
    env,
    tasks: taskStore,
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
    tools: withMcpToolCatalog(headFeatures.tools, () => mcp.knownTools()),
    settings,
    store,
    authSessions: storage.authSessions,
    models,
    conversations,
    sessions,
    assets: createFileAssets(options.webRoot ?? packageWebRoot()),
    workspaceFiles: createWorkspaceFiles(),
    toolNames,
    mcp: {
      async overview(conversationId) {
        const conversation = await store.get(conversationId);
        if (!conversation) throw new NotFoundError(`Conversation not found: ${conversationId}`);
        return mcp.overview(conversationId, conversation.workspace, conversation.config.mcp);
      },
    },
    metrics,
  };
  return {
    runtime,
    // Replicas recover a dead replica's drafts when they take its leases over, never at start (another replica's reply is not a crash's).
    recoverInterruptedReplies: () => (options.replication ? Promise.resolve(0) : recoverInterruptedReplies(store, storage.drafts)),
    async close() {
      await sessions.close();
      await options.replication?.close();
      await mcp.closeAll();
      await stopRegexWorker();
      await sandboxes.disposeAll();
      await storage.close();
      if (localStore && localStore !== store) await localStore.close();
    },
  };
}
