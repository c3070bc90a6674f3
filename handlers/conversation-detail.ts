/**
 * The body of `GET /api/v2/conversations/{id}` (also answered by message edits): gptme's
 * `LogManager.to_dict(branches=True)` plus HEAD's `logdir`, paging and live session.
 */
import type { z } from "zod";
import type { Runtime } from "../runtime/runtime.js";
import type { Conversation, Message } from "../runtime/store/types.js";
import { messageToWire } from "./presenters.js";
import type { ConversationDetail } from "./schemas/conversation.js";

/** The last `limit` messages before index `before` (default: the end). */
export interface MessagePage {
  limit: number;
  before?: number;
}

/**
 * With a page, every branch is cut the same way as `log` (gptme sends the branches whole), so
 * `limit` bounds the whole answer: only the needed rows are read from the store.
 */
export async function conversationDetail(
  env: Runtime,
  conversation: Conversation,
  page?: MessagePage,
): Promise<z.infer<typeof ConversationDetail>> {
  const directory = env.conversations.directory(conversation.id);
  const toWire = (messages: Message[]) => messages.map((message) => messageToWire(message, conversation.workspace, directory));
  const lengths = await env.store.branchLengths(conversation.id);
  const window = (length: number) => {
    if (!page) return { start: 0, end: length };
    const end = Math.min(page.before ?? length, length);
    return { start: Math.max(0, end - page.limit), end };
  };
  const branches: Record<string, Message[]> = {};
  for (const [branch, length] of Object.entries(lengths)) {
    const { start, end } = window(length);
    branches[branch] = toWire(await env.store.messageRange(conversation.id, branch, start, end));
  }
  const body: z.infer<typeof ConversationDetail> = {
    id: conversation.id,
    name: conversation.name,
    log: branches.main ?? [],
    logfile: `${directory}/conversation.jsonl`,
    logdir: directory,
    workspace: conversation.workspace,
    branches,
  };
  if (page) {
    const { start } = window(lengths.main ?? 0);
    body.total_messages = lengths.main ?? 0;
    body.has_more = start > 0;
    if (start > 0) body.before = start;
  }
  const live = env.sessions.state(conversation.id);
  if (live.sessionId) body.session = { id: live.sessionId, generating: live.generating, last_error: live.lastError };
  return body;
}

/** What the answer depends on besides the stored conversation: the page and the live session. */
export function detailEtagParts(env: Runtime, conversationId: string, page?: MessagePage): unknown[] {
  const live = env.sessions.state(conversationId);
  return [page?.limit ?? null, page?.before ?? null, live.sessionId, live.generating, live.lastError];
}
