/** gptme-server's flags and env vars → settings. */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { BadRequestError } from "../errors.js";

export interface ServerOptions {
  command: "serve" | "token" | "openapi" | "help";
  host: string;
  port: number;
  corsOrigins: string[];
  /** `--allowed-hosts` / `GPTME_SERVER_ALLOWED_HOSTS`. */
  allowedHosts: string[];
  model?: string;
  tools?: string[];
  database?: string;
  workspace?: string;
  /** `--allow-workspace` (repeatable, comma-separated) or `GPTME_SERVER_ALLOW_WORKSPACE`. */
  allowedWorkspaceRoots: string[];
  output?: string;
  /** `--sandbox` (bwrap, none, ...) and `--sandbox-network` (on, none); validated when the runtime starts. */
  sandbox?: string;
  sandboxNetwork?: string;
  verbose: boolean;
  /** How long a client may take to send a request's headers (`--headers-timeout`, seconds in the flag). */
  headersTimeoutMs: number;
  /** How long a client may take to send a whole request, body included (`--request-timeout`). */
  requestTimeoutMs: number;
  /** `--exit-on-parent-death`: exit when the process that started the server dies. */
  exitOnParentDeath: boolean;
  /** `--watch-pid`: exit when this process dies. */
  watchPid?: number;
}

export const defaultHeadersTimeoutMs = 30_000;
export const defaultRequestTimeoutMs = 180_000;

export const serverUsage = `Usage: gptme-server [serve|token|openapi] [options]

Commands:
  serve (default)        Run the API server and web UI
  token                  Print the Authorization header for GPTME_SERVER_TOKEN (or a new token)
  openapi [-o FILE]      Write the OpenAPI document (stdout by default)

Options:
  --host HOST            Bind address (env GPTME_SERVER_HOST, default 127.0.0.1)
  --port PORT            Port (env GPTME_SERVER_PORT, default 5700)
  --cors-origin ORIGINS  Comma-separated origins allowed to call /api/* from a browser
  --allowed-hosts NAMES  Comma-separated names the Host header may carry besides localhost,
                         127.0.0.1 and [::1] (env GPTME_SERVER_ALLOWED_HOSTS); checked on a
                         loopback bind, against DNS rebinding
  --model MODEL          Default model, provider/model (e.g. anthropic/claude-sonnet-4-5)
  --tools TOOLS          Comma-separated tool allowlist (e.g. shell,save,patch)
  --db PATH              SQLite database (env GPTME_DB, default $XDG_DATA_HOME/gptme/gptme.db)
  --workspace DIR        Default workspace for "." (default: the current directory)
  --exit-on-parent-death Exit when the process that started the server dies (npm start passes it)
  --watch-pid PID        Exit when process PID dies
  --headers-timeout S    Seconds a client may take to send its request headers (default 30)
  --request-timeout S    Seconds a client may take to send a whole request (default 180; event streams
                         are not affected: they are responses)
  --allow-workspace DIR  Let a config PATCH move a conversation's workspace under DIR (repeatable or
                         comma-separated; env GPTME_SERVER_ALLOW_WORKSPACE); by default a workspace
                         may only move inside the conversation's own log dir
  --sandbox NAME         Where tools run: bwrap (default on Linux: each conversation isolated)
                         or none (as the server itself) (env GPTME_SANDBOX)
  --sandbox-network MODE on (default) or none: no network for tools (env GPTME_SANDBOX_NETWORK)
  -v, --verbose          Log every request
  -h, --help             Show this help

Env: GPTME_SERVER_TOKEN (auth token; generated when unset), GPTME_DISABLE_AUTH=true (turn auth off),
OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENROUTER_API_KEY, ... (model providers), MODEL (default model),
GPTME_SANDBOX_ENV=NAME,NAME (more variables for the tools), GPTME_SANDBOX_PIDS, GPTME_SANDBOX_MEMORY (limits).`;

export function parseServerOptions(argv: string[], env: NodeJS.ProcessEnv): ServerOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "cors-origin": { type: "string" },
      "allowed-hosts": { type: "string" },
      model: { type: "string" },
      tools: { type: "string" },
      db: { type: "string" },
      workspace: { type: "string" },
      "headers-timeout": { type: "string" },
      "request-timeout": { type: "string" },
      "exit-on-parent-death": { type: "boolean", default: false },
      "watch-pid": { type: "string" },
      "allow-workspace": { type: "string", multiple: true },
      sandbox: { type: "string" },
      "sandbox-network": { type: "string" },
      output: { type: "string", short: "o" },
      verbose: { type: "boolean", short: "v", default: false },
      debug: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const command = values.help ? "help" : (positionals[0] ?? "serve");
  if (!["serve", "token", "openapi", "help"].includes(command)) {
    throw new BadRequestError(`Unknown command: ${command} (expected serve, token or openapi)`);
  }
  const portText = values.port ?? env.GPTME_SERVER_PORT ?? "5700";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new BadRequestError(`Invalid port: ${portText}`);
  const list = (text: string | undefined) =>
    text?.split(",").map((item) => item.trim()).filter((item) => item !== "") ?? [];
  return {
    command: command as ServerOptions["command"],
    host: values.host ?? env.GPTME_SERVER_HOST ?? "127.0.0.1",
    port,
    corsOrigins: list(values["cors-origin"] ?? env.GPTME_CORS_ORIGIN),
    allowedHosts: list(values["allowed-hosts"] ?? env.GPTME_SERVER_ALLOWED_HOSTS),
    model: values.model,
    tools: values.tools ? list(values.tools) : undefined,
    database: values.db,
    workspace: values.workspace,
    allowedWorkspaceRoots: values["allow-workspace"]
      ? values["allow-workspace"].flatMap((value) => list(value))
      : list(env.GPTME_SERVER_ALLOW_WORKSPACE),
    output: values.output,
    sandbox: values.sandbox,
    sandboxNetwork: values["sandbox-network"],
    verbose: values.verbose || values.debug,
    headersTimeoutMs: seconds("--headers-timeout", values["headers-timeout"], defaultHeadersTimeoutMs),
    requestTimeoutMs: seconds("--request-timeout", values["request-timeout"], defaultRequestTimeoutMs),
    exitOnParentDeath: values["exit-on-parent-death"],
    watchPid: processId(values["watch-pid"]),
  };
}

function processId(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim())) throw new BadRequestError(`Invalid --watch-pid: ${text} (expected a process id)`);
  return Number(text.trim());
}

function seconds(flag: string, text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new BadRequestError(`Invalid ${flag}: ${text} (expected a number of seconds above 0)`);
  }
  return Math.round(value * 1000);
}

export function authDisabled(env: NodeJS.ProcessEnv): boolean {
  return ["true", "1", "yes"].includes((env.GPTME_DISABLE_AUTH ?? "").trim().toLowerCase());
}

/** `GPTME_SERVER_TOKEN`, else 32 random bytes, url-safe. */
export function serverToken(env: NodeJS.ProcessEnv): { token: string; generated: boolean } {
  const fromEnvironment = env.GPTME_SERVER_TOKEN?.trim();
  if (fromEnvironment) return { token: fromEnvironment, generated: false };
  return { token: randomBytes(32).toString("base64url"), generated: true };
}
