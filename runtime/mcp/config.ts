/**
 * A conversation's MCP configuration, read as gptme reads it: the user's
 * `~/.config/gptme/config.toml` (+ `config.local.toml`), the workspace's `gptme.toml` (or
 * `.github/gptme.toml`, + `gptme.local.toml` beside it) and the conversation's `config.mcp`.
 * Servers are taken by name from the conversation first, then the workspace, then the user;
 * `enabled` and `auto_start` from the user, then the workspace, then the conversation (later wins).
 * Servers the workspace declares need the user's approval before they start: the agent can write
 * that file itself.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "smol-toml";
import { AppError } from "../errors.js";
import {
  completeServer,
  describeIssues,
  mcpLayerSchema,
  type McpLayer,
  type McpServerConfig,
  type McpTransportKind,
  type ServerEntry,
} from "./config-schema.js";

export type { McpServerConfig, McpTransportKind } from "./config-schema.js";

/** A config file or a conversation's `config.mcp` that cannot be used; the message names the file and the key. */
export class McpConfigurationError extends AppError {
  constructor(message: string) {
    super(400, message);
  }
}

export type McpLayerName = "user" | "project" | "conversation";

export interface McpSource {
  layer: McpLayerName;
  /** The files the entry was read from (a `*.local.toml` may add to it), or `conversation config`. */
  files: string[];
}

export interface ResolvedMcpServer {
  config: McpServerConfig;
  transport: McpTransportKind;
  source: McpSource;
  /** Declared by the workspace (agent-writable): start only once the user approved it in this conversation. */
  needsApproval: boolean;
  /** Changes whenever what would run changes (command, args, env, url, headers): an approval is for one fingerprint. */
  fingerprint: string;
}

export interface ResolvedMcpConfig {
  enabled: boolean;
  autoStart: boolean;
  servers: ResolvedMcpServer[];
}

export interface McpConfigSources {
  /** `<config dir>/config.toml`; its `config.local.toml` sibling is read too. Empty: no user config. */
  userConfigFile: string;
  /** The conversation's workspace, where `gptme.toml` may be. */
  workspace?: string;
  /** The conversation's `config.mcp` (ChatConfig), as stored. */
  conversation?: unknown;
}

export const CONVERSATION_SOURCE = "conversation config";

export function resolveMcpConfig(sources: McpConfigSources): ResolvedMcpConfig {
  const user = sources.userConfigFile
    ? readFileLayer("user", sources.userConfigFile, join(dirname(sources.userConfigFile), "config.local.toml"))
    : emptyLayer("user");
  const projectFile = sources.workspace ? projectConfigFile(sources.workspace) : undefined;
  const project = projectFile ? readFileLayer("project", projectFile, join(dirname(projectFile), "gptme.local.toml")) : emptyLayer("project");
  const conversation = conversationLayer(sources.conversation);

  const servers: ResolvedMcpServer[] = [];
  for (const layer of [conversation, project, user]) {
    for (const server of layer.servers) {
      if (!servers.some((known) => known.config.name === server.config.name)) servers.push(server);
    }
  }
  let enabled = false;
  let autoStart = false;
  for (const layer of [user, project, conversation]) {
    if (layer.enabled !== undefined) enabled = layer.enabled;
    if (layer.autoStart !== undefined) autoStart = layer.autoStart;
  }
  return { enabled, autoStart, servers };
}

/** Checks a conversation's `config.mcp` before it is stored; throws `McpConfigurationError` (400) naming the key. */
export function checkConversationMcp(value: unknown): void {
  conversationLayer(value);
}

/** gptme's project config: `gptme.toml` in the workspace, else `.github/gptme.toml`. */
export function projectConfigFile(workspace: string): string | undefined {
  return [join(workspace, "gptme.toml"), join(workspace, ".github", "gptme.toml")].find((file) => existsSync(file));
}

interface Layer {
  enabled?: boolean;
  autoStart?: boolean;
  servers: ResolvedMcpServer[];
}

function emptyLayer(_name: McpLayerName): Layer {
  return { servers: [] };
}

function readFileLayer(name: McpLayerName, mainFile: string, localFile: string): Layer {
  const main = readMcpTable(mainFile);
  const local = readMcpTable(localFile);
  if (!main && !local) return emptyLayer(name);
  const merged = mergeLocal(main?.layer ?? {}, local?.layer ?? {});
  const files = [main?.file, local?.file].filter((file): file is string => file !== undefined);
  return finishLayer(name, merged, (serverName) => filesDeclaring(serverName, main, local), files.join(" + "));
}

function conversationLayer(value: unknown): Layer {
  if (value === undefined || value === null) return emptyLayer("conversation");
  const parsed = mcpLayerSchema.safeParse(value);
  if (!parsed.success) throw new McpConfigurationError(`${CONVERSATION_SOURCE}: ${describeIssues(parsed.error, "mcp")}`);
  return finishLayer("conversation", parsed.data, () => [CONVERSATION_SOURCE], CONVERSATION_SOURCE);
}

function finishLayer(name: McpLayerName, layer: McpLayer, filesOf: (server: string) => string[], where: string): Layer {
  const servers: ResolvedMcpServer[] = [];
  for (const [index, entry] of (layer.servers ?? []).entries()) {
    if (servers.some((server) => server.config.name === entry.name)) {
      throw new McpConfigurationError(`${where}: mcp.servers[${index}].name: "${entry.name}" is declared twice`);
    }
    const completed = completeServer(entry);
    if ("problem" in completed) throw new McpConfigurationError(`${where}: mcp.servers[${index}] ("${entry.name}"): ${completed.problem}`);
    servers.push({
      config: completed.server,
      transport: completed.transport,
      source: { layer: name, files: filesOf(entry.name) },
      needsApproval: name === "project",
      fingerprint: fingerprintOf(completed.server),
    });
  }
  return { enabled: layer.enabled, autoStart: layer.auto_start, servers };
}

interface FileTable {
  file: string;
  layer: McpLayer;
}

/** The validated `[mcp]` table of a TOML file; undefined when the file does not exist or has none. */
function readMcpTable(file: string): FileTable | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new McpConfigurationError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  let document: Record<string, unknown>;
  try {
    document = parse(text) as Record<string, unknown>;
  } catch (error) {
    const { line, column, message } = error as Error & { line?: number; column?: number };
    const where = line ? ` (line ${line}, column ${column})` : "";
    throw new McpConfigurationError(`Cannot read ${file}${where}: ${message.split("\n")[0]}`);
  }
  if (document.mcp === undefined) return undefined;
  const parsed = mcpLayerSchema.safeParse(document.mcp);
  if (!parsed.success) throw new McpConfigurationError(`${file}: ${describeIssues(parsed.error, "mcp")}`);
  return { file, layer: parsed.data };
}

/**
 * gptme's `*.local.toml` rule: a server of the same name gets the local `env` added and its other
 * keys replaced; a new name is added; `enabled`/`auto_start` are replaced.
 */
function mergeLocal(main: McpLayer, local: McpLayer): McpLayer {
  const servers: ServerEntry[] = (main.servers ?? []).map((server) => ({ ...server }));
  for (const entry of local.servers ?? []) {
    const existing = servers.find((server) => server.name === entry.name);
    if (!existing) {
      servers.push({ ...entry });
      continue;
    }
    const { env, ...rest } = entry;
    Object.assign(existing, rest);
    if (env) existing.env = { ...(existing.env ?? {}), ...env };
  }
  return {
    enabled: local.enabled ?? main.enabled,
    auto_start: local.auto_start ?? main.auto_start,
    servers,
  };
}

function filesDeclaring(server: string, main: FileTable | undefined, local: FileTable | undefined): string[] {
  return [main, local]
    .filter((table): table is FileTable => table !== undefined && (table.layer.servers ?? []).some((entry) => entry.name === server))
    .map((table) => table.file);
}

function fingerprintOf(server: McpServerConfig): string {
  const { name: _name, enabled: _enabled, ...running } = server;
  return createHash("sha256").update(JSON.stringify(running)).digest("hex").slice(0, 16);
}

/** Where a server was declared, for messages: its file(s), or the conversation's config. */
export function describeSource(source: McpSource): string {
  return source.files.join(" + ") || source.layer;
}
