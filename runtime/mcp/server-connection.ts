/**
 * One running MCP server: the SDK client over stdio (through the injected spawner) or Streamable
 * HTTP, its tools, and calls with a deadline. Every failure is an `McpServerError` that names the
 * server and carries its last stderr lines, so the model and the user see why.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  ElicitRequestSchema,
  ErrorCode,
  McpError,
  type CallToolResult,
  type ElicitRequestFormParams,
  type ElicitResult,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { version } from "../version.js";
import type { ResolvedMcpServer } from "./config.js";
import { Deadline } from "./deadline.js";
import { McpServerError } from "./errors.js";
import { serverEnvironment, type ProcessExit, type ProcessSpawner } from "./process-spawner.js";
import { ProcessTransport } from "./process-transport.js";

/** Longest delay a timer can hold; the SDK's own request timeout is replaced by our deadlines. */
const NO_SDK_TIMEOUT = 2 ** 31 - 1;

export interface ConnectionOptions {
  spawner: ProcessSpawner;
  /** stdio servers start here (the conversation's workspace). */
  workspace: string;
  /** Where the allowlisted variables come from (default: this process's environment). */
  hostEnvironment?: NodeJS.ProcessEnv;
  startTimeoutMs: number;
  /** Answers a server's form elicitation (the signal ends when the server withdraws it); without it the client does not offer elicitation. */
  elicit?: (params: ElicitRequestFormParams, signal: AbortSignal) => Promise<ElicitResult>;
  /** Called once when the connection ends by itself (the server exited or the stream closed). */
  onClosed?: () => void;
}

export interface CallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Progress the server reports (it also restarts the deadline, as the SDK's `resetTimeoutOnProgress`). */
  onProgress?: (text: string) => void;
}

export class McpServerConnection {
  private closing = false;
  private readonly activeDeadlines = new Set<Deadline>();

  private constructor(
    readonly server: ResolvedMcpServer,
    private readonly client: Client,
    private readonly transport: Transport,
    public tools: Tool[],
  ) {}

  static async open(server: ResolvedMcpServer, options: ConnectionOptions): Promise<McpServerConnection> {
    const name = server.config.name;
    const transport = createTransport(server, options);
    const client = new Client(
      { name: "gptme", version },
      {
        capabilities: options.elicit ? { elicitation: { form: {} } } : {},
        listChanged: { tools: { onChanged: (_error, tools) => tools && connection && (connection.tools = tools) } },
      },
    );
    let connection: McpServerConnection | undefined;
    const deadline = new Deadline(options.startTimeoutMs);
    try {
      await client.connect(transport, { signal: deadline.signal, timeout: NO_SDK_TIMEOUT });
      const tools = await listAllTools(client, deadline.signal);
      connection = new McpServerConnection(server, client, transport, tools);
    } catch (error) {
      const timedOut = deadline.expired;
      // Closing waits for the process to be gone and its stderr read to the end.
      await client.close().catch(() => undefined);
      const reason = timedOut ? `did not start within ${seconds(options.startTimeoutMs)}` : `failed to start: ${startFailure(error, transport)}`;
      throw new McpServerError(name, "start", reason, stderrOf(transport));
    } finally {
      deadline.dispose();
    }
    const opened = connection;
    if (options.elicit) {
      const elicit = options.elicit;
      client.setRequestHandler(ElicitRequestSchema, async (request, extra) => {
        if (request.params.mode === "url") return { action: "decline" };
        // The user's time to answer does not count against the call's deadline.
        return opened.whilePaused(() => elicit(request.params as ElicitRequestFormParams, extra.signal));
      });
    }
    client.onclose = () => {
      if (!opened.closing) options.onClosed?.();
    };
    return opened;
  }

  get name(): string {
    return this.server.config.name;
  }

  /** The last lines the server wrote to stderr (stdio servers only). */
  stderr(): string[] {
    return stderrOf(this.transport);
  }

  async callTool(tool: string, argumentsObject: Record<string, unknown>, options: CallOptions): Promise<CallToolResult> {
    const deadline = new Deadline(options.timeoutMs);
    this.activeDeadlines.add(deadline);
    const signal = options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal;
    try {
      const result = await this.client.callTool({ name: tool, arguments: argumentsObject }, undefined, {
        signal,
        timeout: NO_SDK_TIMEOUT,
        onprogress: (progress) => {
          deadline.restart();
          const total = progress.total === undefined ? "" : `/${progress.total}`;
          options.onProgress?.(`${progress.progress}${total}${progress.message ? ` ${progress.message}` : ""}\n`);
        },
      });
      return result as CallToolResult;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const qualified = `${this.name}.${tool}`;
      if (deadline.expired) {
        // A server that does not answer is stopped, so the next call starts a fresh one.
        await this.close();
        throw new McpServerError(this.name, "hung", `did not answer ${qualified} within ${seconds(options.timeoutMs)}; it was stopped`, this.stderr());
      }
      if (isConnectionClosed(error)) throw new McpServerError(this.name, "exited", `stopped during the call to ${qualified}${exitText(this.transport)}`, this.stderr());
      throw new McpServerError(this.name, "answer", `answered ${qualified} with an error: ${messageOf(error)}`);
    } finally {
      this.activeDeadlines.delete(deadline);
      deadline.dispose();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.transport instanceof StreamableHTTPClientTransport) {
      await this.transport.terminateSession().catch(() => undefined);
    }
    await this.client.close().catch(() => undefined);
  }

  private async whilePaused<T>(work: () => Promise<T>): Promise<T> {
    const paused = [...this.activeDeadlines];
    for (const deadline of paused) deadline.pause();
    try {
      return await work();
    } finally {
      for (const deadline of paused) deadline.resume();
    }
  }
}

function createTransport(server: ResolvedMcpServer, options: ConnectionOptions): Transport {
  const { config } = server;
  if (server.transport === "http") {
    return new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers } });
  }
  const environment = serverEnvironment(config.env, options.hostEnvironment);
  return new ProcessTransport(() => options.spawner([config.command, ...config.args], { cwd: options.workspace, env: environment, serverEnv: config.env }));
}

async function listAllTools(client: Client, signal: AbortSignal): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined, { signal, timeout: NO_SDK_TIMEOUT });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

function startFailure(error: unknown, transport: Transport): string {
  if (transport instanceof ProcessTransport && transport.exit) {
    const { exit } = transport;
    if (exit.error) return `could not run it: ${exit.error.message}`;
    return `it exited${describeExit(exit)} before answering`;
  }
  return messageOf(error);
}

function exitText(transport: Transport): string {
  return transport instanceof ProcessTransport && transport.exit ? ` (it exited${describeExit(transport.exit)})` : "";
}

function describeExit(exit: ProcessExit): string {
  if (exit.signal) return ` on signal ${exit.signal}`;
  if (exit.code !== null) return ` with code ${exit.code}`;
  return "";
}

function stderrOf(transport: Transport): string[] {
  return transport instanceof ProcessTransport ? transport.stderr.last() : [];
}

function isConnectionClosed(error: unknown): boolean {
  return error instanceof McpError && error.code === ErrorCode.ConnectionClosed;
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error && !error.message.includes(cause.message) ? `${error.message} (${cause.message})` : error.message;
}

function seconds(milliseconds: number): string {
  const value = milliseconds / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} s`;
}
