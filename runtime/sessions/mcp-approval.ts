/**
 * A workspace-declared MCP server waits for the user as a tool use does: a `tool_pending` card
 * (tool `mcp`, args `approve <server>`, what would run in the content) answered through
 * `POST .../tool/confirm`. Confirm (or auto) approves it for this conversation; skip, edit or the
 * generation's end leaves it stopped. Auto-confirm never approves one: the agent can write the
 * file that declares it, so only a person's click starts it.
 */
import { randomUUID } from "node:crypto";
import type { ConfirmDecision, PendingTool } from "../agent/types.js";
import { describeSource } from "../mcp/config.js";
import type { McpApprovalRequest } from "../mcp/status.js";

export function approvalPending(request: McpApprovalRequest): PendingTool {
  const what = request.transport === "http" ? `URL: ${request.target}` : `Command: ${request.target}`;
  const content = [
    `Start the MCP server "${request.server}" declared in ${describeSource(request.source)}?`,
    what,
    "The workspace's gptme.toml can be written by the agent: approve only what you recognise.",
  ].join("\n");
  const toolUse = { tool: "mcp", args: ["approve", request.server], content };
  return { toolId: randomUUID(), toolUse, wire: { ...toolUse }, preview: content, autoConfirm: false };
}

/** Only a confirmation approves (an edit cannot change what the file runs). */
export function approves(decision: ConfirmDecision): boolean {
  return decision.action === "confirm";
}
