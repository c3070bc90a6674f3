import { conversationPath, requestJson } from "./client.js";
import type { AutoConfirmLeft, ToolAction } from "./types.js";

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

/** `auto_confirm_left` is absent from older servers' answers. */
export interface ConfirmAnswer {
  auto_confirm_left?: AutoConfirmLeft;
}

export function confirmTool(conversationId: string, sessionId: string, toolId: string, decision: ToolDecision): Promise<ConfirmAnswer> {
  return requestJson<ConfirmAnswer>(`${conversationPath(conversationId)}/tool/confirm`, {
    method: "POST",
    body: { session_id: sessionId, tool_id: toolId, ...decision },
  });
}

/** Stops auto-confirming (also while tools run): the next tool asks again. */
export function stopAutoConfirm(conversationId: string, sessionId: string): Promise<ConfirmAnswer> {
  return requestJson<ConfirmAnswer>(`${conversationPath(conversationId)}/tool/confirm`, {
    method: "POST",
    body: { session_id: sessionId, auto_confirm: false },
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
