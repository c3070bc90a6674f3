import { conversationPath, requestJson } from "./client.js";
import type { McpOverview } from "./types.js";

export function fetchMcpOverview(id: string, signal?: AbortSignal): Promise<McpOverview> {
  return requestJson<McpOverview>(`${conversationPath(id)}/mcp`, { signal });
}

export interface ElicitationReply {
  action: "accept" | "decline" | "cancel";
  value?: string;
  values?: string[];
}

export function respondElicitation(id: string, elicitId: string, reply: ElicitationReply): Promise<unknown> {
  return requestJson(`${conversationPath(id)}/elicit/respond`, { method: "POST", body: { elicit_id: elicitId, ...reply } });
}
