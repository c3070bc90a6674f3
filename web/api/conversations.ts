import { conversationPath, requestJson } from "./client.js";
import type { ChatConfig, ConversationDetail, ConversationPage, ConversationSummary, Message } from "./types.js";

export interface ListQuery {
  cursor?: string | null;
  query?: string;
  limit?: number;
  signal?: AbortSignal;
}

export async function listConversations({ cursor, query, limit = 50, signal }: ListQuery): Promise<ConversationPage> {
  const parameters = new URLSearchParams({ paginated: "1", limit: String(limit) });
  if (cursor) parameters.set("cursor", cursor);
  if (query) parameters.set("q", query);
  const page = await requestJson<ConversationPage | ConversationSummary[]>(`/api/v2/conversations?${parameters}`, { signal });
  // An older server ignores `paginated` and answers a bare list: treat it as the only page.
  if (Array.isArray(page)) return { conversations: page, next_cursor: null };
  return page;
}

export function fetchConversation(id: string, signal?: AbortSignal): Promise<ConversationDetail> {
  return requestJson<ConversationDetail>(conversationPath(id), { signal });
}

export interface CreatedConversation {
  conversation_id: string;
  session_id: string;
}

export function createConversation(id: string, content: string, model: string): Promise<CreatedConversation> {
  return requestJson<CreatedConversation>(conversationPath(id), {
    method: "PUT",
    body: {
      messages: [{ role: "user", content, timestamp: new Date().toISOString() }],
      config: { chat: { model, stream: true, workspace: "." } },
    },
  });
}

export function appendMessage(id: string, message: Pick<Message, "role" | "content">): Promise<unknown> {
  return requestJson(conversationPath(id), {
    method: "POST",
    body: { ...message, timestamp: new Date().toISOString(), branch: "main" },
  });
}

export function deleteConversation(id: string): Promise<unknown> {
  return requestJson(conversationPath(id), { method: "DELETE" });
}

export function fetchConfig(id: string): Promise<ChatConfig> {
  return requestJson<ChatConfig>(`${conversationPath(id)}/config`);
}

export function renameConversation(id: string, name: string): Promise<unknown> {
  return requestJson(`${conversationPath(id)}/config`, { method: "PATCH", body: { chat: { name } } });
}
