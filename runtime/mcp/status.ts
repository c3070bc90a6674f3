/** What the MCP manager reports about a conversation's servers, and the limits it applies. */
import type { McpSource, McpTransportKind, ResolvedMcpServer } from "./config.js";

export type McpServerState =
  /** Configured, not started (or stopped when idle: the next call starts it). */
  | "stopped"
  | "starting"
  | "running"
  /** The last start or call failed; `error` says why. */
  | "failed"
  /** Declared by the workspace and not (yet) approved by the user. */
  | "needs-approval"
  /** `enabled = false` in its config. */
  | "disabled";

export interface McpServerStatus {
  name: string;
  transport: McpTransportKind;
  source: McpSource;
  /** `command args...` or the URL. */
  target: string;
  state: McpServerState;
  /** Its tools are offered to the model (it was loaded and not unloaded). */
  loaded: boolean;
  needsApproval: boolean;
  approved: boolean;
  /** Qualified tool names (`server.tool`). */
  tools: string[];
  error?: string;
}

export interface McpApprovalRequest {
  server: string;
  source: McpSource;
  transport: McpTransportKind;
  target: string;
}

export interface McpTimeouts {
  startMs: number;
  callMs: number;
  /** Running servers stop after this long without a call (they start again on the next one); 0 = never. */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: McpTimeouts = { startMs: 60_000, callMs: 300_000, idleMs: 30 * 60_000 };

export function targetOf(server: ResolvedMcpServer): string {
  return server.transport === "http" ? server.config.url : [server.config.command, ...server.config.args].join(" ");
}

/** `GPTME_MCP_START_TIMEOUT` / `GPTME_MCP_CALL_TIMEOUT` / `GPTME_MCP_IDLE_TIMEOUT`, in seconds (0 for the idle one: never). */
export function timeoutsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Partial<McpTimeouts> {
  const timeouts: Partial<McpTimeouts> = {};
  const read = (variable: string, key: keyof McpTimeouts, allowZero: boolean) => {
    const text = env[variable]?.trim();
    if (!text) return;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
      throw new Error(`${variable} must be a number of seconds${allowZero ? " (0: never)" : " above 0"}, got "${text}"`);
    }
    timeouts[key] = Math.round(value * 1000);
  };
  read("GPTME_MCP_START_TIMEOUT", "startMs", false);
  read("GPTME_MCP_CALL_TIMEOUT", "callMs", false);
  read("GPTME_MCP_IDLE_TIMEOUT", "idleMs", true);
  return timeouts;
}
