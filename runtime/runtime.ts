/**
 * The runtime object handed to every handler as Hono's `env` (a Worker's bindings). Types only:
 * handlers import this file, so it must not pull in any `node:` module.
 */
import type { McpOverview } from "./mcp/conversation-mcp.js";
import type { ToolQuery } from "./catalog/tool-query.js";
import type { ToolDescription } from "./catalog/tool-catalog.js";
import type { CommandResult } from "./commands/server-commands.js";
import type { ProjectAgent } from "./config/project-config.js";
import type { ModelRegistry } from "./models/model.js";
import type { ProviderHealthChecker } from "./models/provider-health.js";
import type { Elicitations } from "./sessions/elicitation.js";
import type { SettingsService } from "./settings/settings-service.js";
import type { TaskService } from "./tasks/task-service.js";
import type { AuthSessionStore } from "./store/auth-sessions.js";
import type { SandboxReport } from "./sandbox/report.js";
import type { SessionManager } from "./sessions/types.js";
import type { UploadRequest } from "./attachments/upload.js";
import type { ForkRequest } from "./conversations/fork.js";
import type { EditOptions, MessageEdit } from "./conversations/message-edits.js";
import type { ChatConfig, ConversationStore, Message } from "./store/types.js";

export interface ServerSettings {
  version: string;
  /** null when auth is disabled (`GPTME_DISABLE_AUTH`). */
  authToken: string | null;
  corsOrigins: string[];
  /** The address the server listens on (`--host`); a loopback bind turns the Host check on. */
  bindHost: string;
  /** `--allowed-hosts`: more names the Host header may carry (a reverse proxy, a tunnel). */
  allowedHosts: string[];
  bodyLimitBytes: number;
  /** Where `"."` points: `--workspace`, else the server's working directory. */
  defaultWorkspace: string;
  dataDirectory: string;
  databasePath: string;
  /** `--allow-workspace`: where a config PATCH may move a workspace besides the conversation's log dir. */
  allowedWorkspaceRoots: string[];
  /** Where tools run and what that isolates (`GET /api/v2`, the banner). */
  sandbox: SandboxReport;
}

export interface CreateConversationInput {
  config?: Partial<ChatConfig> & { chat?: Record<string, unknown> };
  /** `"full"` (default), `"short"`, or a custom system prompt. */
  prompt?: string;
  messages?: Message[];
}

/** Conversation operations with file-system effects (workspaces, system prompts). */
export interface ConversationService {
  create(id: string, input: CreateConversationInput): Promise<void>;
  /** Merges a ChatConfig patch (gptme's rules), regenerating the system prompt when tools change. */
  updateConfig(id: string, patch: Partial<ChatConfig> & { chat?: Record<string, unknown> }): Promise<{ config: ChatConfig; tools: string[] }>;
  /** `conversationDirectory` of the id (where its `@log` workspace and saved outputs live). */
  directory(id: string): string;
  /** `attachmentsDirectory` of the id: where its uploads are saved. */
  attachmentsDirectory(id: string): string;
  delete(id: string): Promise<boolean>;
  /**
   * Checks a message's `files` (400 for `file://`, absolute paths, paths leaving the workspace) and
   * returns them as stored: absolute paths in the workspace or the attachments, URIs as given.
   */
  resolveFiles(id: string, workspace: string, files: string[]): Promise<string[]>;
  /** 400 `Tool 'x' not found` for a tool name no tool has (gptme's check of `tools` lists). */
  validateTools(names: string[]): void;
  /** Edits a user message or truncates after a message of `main`, keeping the old branch as `main-edit-N`. */
  editMessage(id: string, index: number, edit: MessageEdit, options?: EditOptions): Promise<void>;
  /** Deletes a non-system message of `main`, keeping the old branch as `main-edit-N`. */
  deleteMessage(id: string, index: number, options?: EditOptions): Promise<void>;
  /** Copies messages 0..afterMessage of a branch into a new conversation (gptme's fork); resolves with its id. */
  fork(request: ForkRequest): Promise<string>;
  /** Saves a multipart upload's files into the conversation's attachments, all or nothing. */
  upload(id: string, request: UploadRequest): Promise<WorkspaceEntry[]>;
}

export interface Asset {
  body: Uint8Array;
  contentType: string;
  /** Content-hashed: cache forever. */
  immutable: boolean;
}

/** Static files the handlers serve without touching the file system themselves. */
export interface AssetSource {
  /** Swagger UI files from swagger-ui-dist (`swagger-ui.css`, `swagger-ui-bundle.js`, ...). */
  docs(name: string): Promise<Asset | null>;
  /** The built web UI (`dist/web`); `index.html` for the app shell. */
  web(path: string): Promise<Asset | null>;
}

/** A file or folder of a workspace, in gptme's FileType shape. */
export interface WorkspaceEntry {
  name: string;
  /** Relative to the workspace root. */
  path: string;
  type: "file" | "directory";
  size: number;
  /** ISO 8601 (UTC). */
  modified: string;
  mime_type: string | null;
}

export type WorkspacePreview =
  | { type: "text"; content: string; truncated?: boolean; total_size?: number }
  | { type: "image"; body: Uint8Array; mimeType: string }
  | { type: "binary"; metadata: WorkspaceEntry };

/** Read-only access to a workspace, confined to its root (symlink escapes rejected). */
export interface WorkspaceFiles {
  /** A directory's entries (dirs first, by name), or the single entry of a file. */
  list(root: string, path: string, options: { showHidden: boolean }): Promise<WorkspaceEntry[] | WorkspaceEntry>;
  preview(root: string, path: string): Promise<WorkspacePreview>;
  read(root: string, path: string): Promise<{ body: Uint8Array; mimeType: string }>;
}

/** `GET` and `QUERY /api/v2/tools`. */
export interface ToolCatalog {
  describe(): ToolDescription[];
  query(query: ToolQuery): Promise<Array<Partial<ToolDescription>>>;
}

/** Slash commands posted as messages. */
export interface CommandRunner {
  /** Every command a client may send, with `/`. */
  names(): string[];
  /** The name of a command refused in server mode (`exit`), or null. */
  blocked(content: string): string | null;
  /** True while a command of this conversation runs (other mutations answer 409). */
  isRunning(conversationId: string): boolean;
  run(conversationId: string, content: string): Promise<CommandResult>;
}

export interface Runtime {
  settings: ServerSettings;
  store: ConversationStore;
  /** The sessions behind the `gptme_auth` cookie. */
  authSessions: AuthSessionStore;
  models: ModelRegistry;
  conversations: ConversationService;
  assets: AssetSource;
  sessions: SessionManager;
  workspaceFiles: WorkspaceFiles;
  /** Names of the tools this server offers (after `--tools`). */
  toolNames(): string[];
  /** A conversation's MCP servers and tools (reads its configuration, starts nothing); 404 for an unknown id. */
  mcp: { overview(conversationId: string): Promise<McpOverview> };
  tools: ToolCatalog;
  commands: CommandRunner;
  tasks: TaskService;
  userSettings: SettingsService;
  providerHealth: ProviderHealthChecker;
  elicitations: Elicitations;
  /** `[agent]` of the default workspace's `gptme.toml`. */
  projectAgent(): ProjectAgent;
}
