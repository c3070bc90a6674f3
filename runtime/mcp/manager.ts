/**
 * A conversation's MCP servers: which are configured, approved, running or failed, their tools,
 * and calls to them. Servers start before the first turn (`auto_start`) or on `mcp load`; a
 * server that exited, hung or went idle is started again by the next call; a workspace server
 * starts only after the user approved exactly what it runs. Nothing here throws at the
 * conversation: failures become statuses and tool errors that name the server.
 */
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { describeSource, type ResolvedMcpConfig, type ResolvedMcpServer } from "./config.js";
import { elicitationRequestOf, elicitResultOf, type AskUser } from "./elicitation.js";
import { spawnDirectly, type ProcessSpawner } from "./process-spawner.js";
import { McpServerError } from "./errors.js";
import type { CallOptions, McpServerConnection } from "./server-connection.js";
import { DEFAULT_TIMEOUTS, targetOf, type McpApprovalRequest, type McpServerState, type McpServerStatus, type McpTimeouts } from "./status.js";

export type { McpApprovalRequest, McpServerState, McpServerStatus, McpTimeouts } from "./status.js";
export { timeoutsFromEnvironment } from "./status.js";

export interface McpManagerOptions {
  /** stdio servers start here (the conversation's workspace). */
  workspace: string;
  spawner?: ProcessSpawner;
  hostEnvironment?: NodeJS.ProcessEnv;
  timeouts?: Partial<McpTimeouts>;
  /** Elicitation: asks the user a server's question. Without it, servers are not offered elicitation. */
  ask?: AskUser;
  /** Asks the user to approve a workspace server; without it such servers never start. */
  approve?: (request: McpApprovalRequest) => Promise<boolean>;
  /** Every state change (for the CLI's notes and, later, events to web clients). */
  onStatus?: (status: McpServerStatus) => void;
  /** A configuration error, each time it changes (MCP stays off until it is fixed). */
  onConfigError?: (message: string) => void;
}

export interface McpToolEntry {
  server: string;
  tool: Tool;
}

interface Entry {
  resolved: ResolvedMcpServer;
  state: McpServerState;
  connection?: McpServerConnection;
  starting?: Promise<McpServerConnection>;
  /** The tools of the last successful start (kept while stopped, so they stay offered). */
  tools: Tool[];
  loaded: boolean;
  /** auto_start tried this server's current fingerprint already (a failure is not retried every turn). */
  autoStartTried: boolean;
  /** The user declined this fingerprint: auto_start does not ask again (an explicit load does). */
  declined: boolean;
  /** Bumped by every stop, so a start that finishes after it is discarded. */
  generation: number;
  error?: string;
}

export class McpManager {
  private config: ResolvedMcpConfig = { enabled: false, autoStart: false, servers: [] };
  private configError: string | undefined;
  private readonly entries = new Map<string, Entry>();
  /** Server name → the fingerprint the user approved. */
  private readonly approvals = new Map<string, string>();
  private readonly timeouts: McpTimeouts;
  private readonly spawner: ProcessSpawner;
  private idleTimer: NodeJS.Timeout | undefined;
  private activeCalls = 0;
  private closed = false;

  constructor(private readonly options: McpManagerOptions) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.spawner = options.spawner ?? spawnDirectly;
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /** The last configuration error (a bad file or `config.mcp`), shown instead of servers. */
  get error(): string | undefined {
    return this.configError;
  }

  /**
   * Takes the current configuration: servers removed, disabled or changed (another fingerprint)
   * are stopped and forgotten; new ones wait for auto_start or `load`. A configuration error
   * keeps nothing running.
   */
  async configure(config: ResolvedMcpConfig | { error: string }): Promise<void> {
    if ("error" in config) {
      if (config.error !== this.configError) this.options.onConfigError?.(config.error);
      this.configError = config.error;
      this.config = { enabled: false, autoStart: false, servers: [] };
    } else {
      this.configError = undefined;
      this.config = config;
    }
    const wanted = new Map(this.config.servers.map((server) => [server.config.name, server]));
    const stopping: Promise<void>[] = [];
    for (const [name, entry] of this.entries) {
      const next = wanted.get(name);
      if (this.config.enabled && next && next.fingerprint === entry.resolved.fingerprint) {
        entry.resolved = next;
        if (!next.config.enabled && entry.state !== "disabled") stopping.push(this.stop(entry, "disabled", false));
        else if (next.config.enabled && entry.state === "disabled") {
          entry.autoStartTried = false;
          this.setState(entry, "stopped");
        }
        continue;
      }
      this.entries.delete(name);
      stopping.push(this.stop(entry, "stopped", false));
    }
    for (const server of this.config.servers) {
      if (this.entries.has(server.config.name)) continue;
      const state: McpServerState = !server.config.enabled ? "disabled" : this.awaitsApproval(server) ? "needs-approval" : "stopped";
      this.entries.set(server.config.name, { resolved: server, state, tools: [], loaded: false, autoStartTried: false, declined: false, generation: 0 });
    }
    await Promise.all(stopping);
  }

  /** With `enabled` and `auto_start`: starts every enabled server not tried yet (workspace servers after approval). */
  async autoStart(): Promise<void> {
    if (!this.config.enabled || !this.config.autoStart || this.closed) return;
    const pending = [...this.entries.values()].filter((entry) => !entry.autoStartTried && entry.resolved.config.enabled && !entry.declined);
    await Promise.all(
      pending.map(async (entry) => {
        entry.autoStartTried = true;
        if (!(await this.ensureApproved(entry))) return;
        await this.start(entry).catch(() => undefined);
      }),
    );
  }

  /** `mcp load <name>`: starts a configured server (asking approval if it needs it) and offers its tools. */
  async load(name: string): Promise<McpServerStatus> {
    const entry = this.requireEntry(name);
    if (!entry.resolved.config.enabled) throw new Error(`MCP server "${name}" is disabled in ${describeSource(entry.resolved.source)} (enabled = false)`);
    entry.declined = false;
    if (!(await this.ensureApproved(entry))) {
      throw new Error(`MCP server "${name}" was not started: it is declared in ${describeSource(entry.resolved.source)} and needs your approval`);
    }
    await this.start(entry);
    return this.statusOf(entry);
  }

  /** `mcp unload <name>`: stops it and stops offering its tools (until the next load). */
  async unload(name: string): Promise<McpServerStatus> {
    const entry = this.requireEntry(name);
    await this.stop(entry, entry.resolved.config.enabled ? "stopped" : "disabled", false);
    return this.statusOf(entry);
  }

  statuses(): McpServerStatus[] {
    return [...this.entries.values()].map((entry) => this.statusOf(entry));
  }

  /** The tools offered now: those of loaded, enabled servers. */
  tools(): McpToolEntry[] {
    if (!this.config.enabled) return [];
    return [...this.entries.values()]
      .filter((entry) => entry.loaded && entry.resolved.config.enabled)
      .flatMap((entry) => entry.tools.map((tool) => ({ server: entry.resolved.config.name, tool })));
  }

  /** Calls a tool, starting its server again first if it exited, hung or went idle. Throws `McpServerError`. */
  async callTool(server: string, tool: string, argumentsObject: Record<string, unknown>, options: Omit<CallOptions, "timeoutMs"> = {}): Promise<CallToolResult> {
    const entry = this.entries.get(server);
    if (!entry || !entry.loaded || !this.config.enabled) throw new McpServerError(server, "unavailable", `is not loaded (use \`mcp load ${server}\`)`);
    this.activeCalls++;
    try {
      const connection = entry.connection ?? (await this.start(entry));
      const result = await connection.callTool(tool, argumentsObject, { ...options, timeoutMs: this.timeouts.callMs });
      if (entry.state === "failed") this.setState(entry, "running");
      return result;
    } catch (error) {
      if (error instanceof McpServerError && (error.kind === "hung" || error.kind === "exited")) {
        // A hung server is stopped so the next call starts a fresh one; an exited one is already gone.
        await this.disconnect(entry);
        entry.error = error.message;
        this.setState(entry, "failed");
      }
      throw error;
    } finally {
      this.activeCalls--;
      this.touch();
    }
  }

  /** Stops every server (the conversation was deleted, went idle, or the program ends). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    await Promise.all(
      [...this.entries.values()].map(async (entry) => {
        const wasUp = entry.connection !== undefined || entry.starting !== undefined;
        await this.disconnect(entry);
        if (wasUp) this.setState(entry, "stopped");
      }),
    );
  }

  /** Stops running servers but keeps their tools offered: the next call starts them again. */
  async stopIdle(): Promise<void> {
    if (this.activeCalls > 0) return;
    await Promise.all(
      [...this.entries.values()]
        .filter((entry) => entry.connection)
        .map(async (entry) => {
          await this.disconnect(entry);
          this.setState(entry, "stopped");
        }),
    );
  }

  private async start(entry: Entry): Promise<McpServerConnection> {
    const name = entry.resolved.config.name;
    if (this.closed) throw new McpServerError(name, "unavailable", "was not started: the conversation is closing");
    if (entry.connection) return entry.connection;
    if (this.awaitsApproval(entry.resolved)) {
      throw new McpServerError(name, "unavailable", `needs your approval before it starts (declared in ${describeSource(entry.resolved.source)})`);
    }
    if (!entry.starting) {
      this.setState(entry, "starting");
      entry.starting = this.connect(entry).finally(() => (entry.starting = undefined));
    }
    return entry.starting;
  }

  private async connect(entry: Entry): Promise<McpServerConnection> {
    const { resolved } = entry;
    const name = resolved.config.name;
    const generation = entry.generation;
    try {
      // The SDK is loaded on the first start, so a run without MCP servers does not pay for it.
      const { McpServerConnection } = await import("./server-connection.js");
      const connection: McpServerConnection = await McpServerConnection.open(resolved, {
        spawner: this.spawner,
        workspace: this.options.workspace,
        hostEnvironment: this.options.hostEnvironment,
        startTimeoutMs: this.timeouts.startMs,
        elicit: this.options.ask ? this.elicitFor(name, this.options.ask) : undefined,
        onClosed: () => {
          if (entry.connection !== connection) return;
          entry.connection = undefined;
          entry.error = new McpServerError(name, "exited", "exited; the next call starts it again", connection.stderr()).message;
          this.setState(entry, "failed");
        },
      });
      if (this.closed || this.entries.get(name) !== entry || entry.generation !== generation) {
        await connection.close();
        throw new McpServerError(name, "unavailable", "was stopped while it started");
      }
      entry.connection = connection;
      entry.tools = connection.tools;
      entry.loaded = true;
      entry.error = undefined;
      this.setState(entry, "running");
      this.touch();
      return connection;
    } catch (error) {
      if (entry.generation === generation) {
        entry.error = error instanceof Error ? error.message : String(error);
        this.setState(entry, "failed");
      }
      throw error;
    }
  }

  private elicitFor(server: string, ask: AskUser) {
    return async (params: Parameters<typeof elicitationRequestOf>[1], signal: AbortSignal) => {
      const request = elicitationRequestOf(server, params);
      return elicitResultOf(request, await ask(request, signal));
    };
  }

  private async ensureApproved(entry: Entry): Promise<boolean> {
    if (!this.awaitsApproval(entry.resolved)) return true;
    const { resolved } = entry;
    const approved = this.options.approve
      ? await this.options
          .approve({ server: resolved.config.name, source: resolved.source, transport: resolved.transport, target: targetOf(resolved) })
          .catch(() => false)
      : false;
    if (approved) {
      this.approvals.set(resolved.config.name, resolved.fingerprint);
      if (entry.state === "needs-approval") this.setState(entry, "stopped");
    } else {
      entry.declined = true;
      this.setState(entry, "needs-approval");
    }
    return approved;
  }

  private awaitsApproval(server: ResolvedMcpServer): boolean {
    return server.needsApproval && this.approvals.get(server.config.name) !== server.fingerprint;
  }

  private async stop(entry: Entry, state: McpServerState, keepLoaded: boolean): Promise<void> {
    entry.loaded = keepLoaded && entry.loaded;
    await this.disconnect(entry);
    this.setState(entry, state);
  }

  private async disconnect(entry: Entry): Promise<void> {
    entry.generation++;
    const starting = entry.starting;
    const connection = entry.connection;
    entry.connection = undefined;
    await connection?.close();
    // A start in flight closes its connection itself once it sees the generation moved on.
    if (starting) await starting.catch(() => undefined);
  }

  private requireEntry(name: string): Entry {
    if (!this.config.enabled) throw new Error(this.configError ?? "MCP is not enabled (set `enabled = true` under [mcp] in ~/.config/gptme/config.toml)");
    const entry = this.entries.get(name);
    if (!entry) {
      const known = [...this.entries.keys()];
      throw new Error(`No MCP server named "${name}" is configured${known.length ? ` (configured: ${known.join(", ")})` : ""}`);
    }
    return entry;
  }

  /** Restarts the idle countdown; when it ends, running servers stop (tools stay offered). */
  private touch(): void {
    if (this.timeouts.idleMs <= 0 || this.closed) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.stopIdle(), this.timeouts.idleMs);
    this.idleTimer.unref();
  }

  private setState(entry: Entry, state: McpServerState): void {
    entry.state = state;
    this.options.onStatus?.(this.statusOf(entry));
  }

  private statusOf(entry: Entry): McpServerStatus {
    const { resolved } = entry;
    const name = resolved.config.name;
    const status: McpServerStatus = {
      name,
      transport: resolved.transport,
      source: resolved.source,
      target: targetOf(resolved),
      state: entry.state,
      loaded: entry.loaded,
      needsApproval: resolved.needsApproval,
      approved: resolved.needsApproval && this.approvals.get(name) === resolved.fingerprint,
      tools: entry.tools.map((tool) => `${name}.${tool.name}`),
    };
    if (entry.error && (entry.state === "failed" || entry.state === "stopped")) status.error = entry.error;
    return status;
  }
}
