/** Domain records → gptme's wire shapes. */
import type { ConversationSummary, Message } from "../runtime/store/types.js";

export function summaryToWire(summary: ConversationSummary, path: string) {
  return {
    id: summary.id,
    name: summary.name,
    path,
    created: summary.created,
    modified: summary.modified,
    messages: summary.messageCount,
    branches: summary.branchCount,
    workspace: summary.workspace,
    message_count: summary.messageCount,
    last_updated: summary.modified,
    last_message_role: summary.lastMessageRole,
    last_message_preview: summary.lastMessagePreview,
    total_cost: summary.totalCost,
    total_input_tokens: summary.totalInputTokens,
    total_output_tokens: summary.totalOutputTokens,
    first_user_message_preview: summary.firstUserMessagePreview,
    ...(summary.searchSnippet !== undefined ? { search_snippet: summary.searchSnippet } : {}),
  };
}

/**
 * Files are stored absolute; clients see them as gptme shows them: relative to the workspace when
 * inside it, else relative to the log dir (uploads: `attachments/<name>`), else as stored (URIs).
 */
export function messageToWire(message: Message, workspace: string, logdir?: string): Message {
  if (!message.files || message.files.length === 0) return message;
  const roots = [workspace, ...(logdir ? [logdir] : [])].map((root) => (root.endsWith("/") ? root : `${root}/`));
  const relative = (file: string) => {
    const root = roots.find((prefix) => file.startsWith(prefix));
    return root ? file.slice(root.length) : file;
  };
  return { ...message, files: message.files.map(relative) };
}

/** A message as a client sent it (POST), stamped now when it has no timestamp. */
export function messageFromInput(input: Omit<Message, "timestamp"> & { timestamp?: string }): Message {
  const message: Message = { role: input.role, content: input.content, timestamp: input.timestamp ?? new Date().toISOString() };
  if (input.files?.length) message.files = input.files;
  if (input.hide) message.hide = true;
  if (input.pinned) message.pinned = true;
  if (input.call_id) message.call_id = input.call_id;
  if (input.metadata) message.metadata = input.metadata;
  return message;
}
