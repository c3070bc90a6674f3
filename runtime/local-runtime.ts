/** Wires the local runtime: SQLite store, model providers, tools, the agent loop and live sessions. */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runAgentLoop } from "./agent/loop.js";
import { createFileAssets } from "./assets/file-assets.js";
import { attachmentsDirectory, configDirectory, databasePath as defaultDatabasePath, dataDirectory as defaultDataDirectory } from "./config/paths.js";
import { recoverInterruptedReplies } from "./conversations/recover-drafts.js";
import { createConversationService } from "./conversations/service.js";
import { createModelRegistry, type ModelRegistryOptions } from "./models/registry.js";
import { createNamer } from "./sessions/auto-name.js";
import type { Runtime, ServerSettings } from "./runtime.js";
import { createSessionManager, type SessionDependencies } from "./sessions/session-manager.js";
import { SqliteAuthSessionStore } from "./store/sqlite/auth-session-store.js";
import { createSandboxManager } from "./sandbox/manager.js";
import { resolveSandboxSettings } from "./sandbox/settings.js";
import { SqliteConversationStore } from "./store/sqlite/sqlite-store.js";
import { systemPromptBuilder } from "./conversations/system-prompt.js";
import { createToolRegistry, defaultToolNames } from "./tools/registry.js";
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
}

export interface LocalRuntime {
  runtime: Runtime;
  /** Stores the replies a crash interrupted (their drafts) as `[INTERRUPTED]` messages; how many. */
  recoverInterruptedReplies(): Promise<number>;
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
  const userConfigPath = options.userConfigPath === undefined ? join(configDirectory(env), "config.toml") : options.userConfigPath;
  const sandboxSettings = resolveSandboxSettings({
    backendFlag: options.sandbox?.backend,
    networkFlag: options.sandbox?.network,
    env,
    configPath: userConfigPath,
    defaultBackend: "bwrap",
  });
  const store = SqliteConversationStore.open(databasePath);
  // What no conversation's tools may see: the store (and its journal files), the data directory, the config with the keys.
  const databaseFiles = databasePath === ":memory:" ? [] : ["", "-wal", "-shm", "-journal"].map((suffix) => databasePath + suffix);
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
    databasePath,
    allowedWorkspaceRoots: options.allowedWorkspaceRoots ?? [],
    sandbox: sandboxes.report,
  };
  const conversations = createConversationService({
    store,
    dataDirectory,
    defaultWorkspace: settings.defaultWorkspace,
    toolNames,
    systemPrompt: systemPromptBuilder(models),
    allowedWorkspaceRoots: settings.allowedWorkspaceRoots,
    removeSandbox: (id) => sandboxes.remove(id),
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
    sandboxFor: (conversationId, workspace) => sandboxes.forConversation(conversationId, workspace),
    dataDirectory,
    runLoop: runAgentLoop,
    autoName: createNamer(store),
    eventLimits: options.eventLimits,
    drafts: store.drafts,
  });
  const runtime: Runtime = {
    settings,
    store,
    authSessions: new SqliteAuthSessionStore(store.database),
    models,
    conversations,
    sessions,
    assets: createFileAssets(options.webRoot ?? packageWebRoot()),
    workspaceFiles: createWorkspaceFiles(),
    toolNames,
  };
  return {
    runtime,
    recoverInterruptedReplies: () => recoverInterruptedReplies(store, store.drafts),
    async close() {
      await sessions.close();
      await sandboxes.disposeAll();
      await store.close();
    },
  };
}
