import { conversationPath, requestJson } from "./client.js";
import type { ToolAction } from "./types.js";

export function startStep(conversationId: string, sessionId: string, model: string): Promise<unknown> {
  return requestJson(`${conversationPath(conversationId)}/step`, {
    method: "POST",
    body: { session_id: sessionId, stream: true, branch: "main", ...(model ? { model } : {}) },
  });
}

export interface ToolDecision {
  action: ToolAction;
  content?: string;
  count?: number;
}

export function confirmTool(conversationId: string, sessionId: string, toolId: string, decision: ToolDecision): Promise<unknown> {
  return requestJson(`${conversationPath(conversationId)}/tool/confirm`, {
    method: "POST",
    body: { session_id: sessionId, tool_id: toolId, ...decision },
  });
}

export function interrupt(conversationId: string, sessionId: string): Promise<unknown> {
  return requestJson(`${conversationPath(conversationId)}/interrupt`, {
    method: "POST",
    body: { session_id: sessionId },
  });
}

export function eventsUrl(conversationId: string, sessionId: string | null, lastEventId: string | null): string {
  const parameters = new URLSearchParams();
  if (sessionId) parameters.set("session_id", sessionId);
  if (lastEventId) parameters.set("last_event_id", lastEventId);
  const query = parameters.toString();
  return `${conversationPath(conversationId)}/events${query ? `?${query}` : ""}`;
}
