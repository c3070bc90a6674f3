/** Wire schemas of conversations and messages, in gptme's shapes. */
import { z } from "zod";
import { stringList } from "./fields.js";

export const Role = z.enum(["system", "user", "assistant"]);

export const MessageMetadata = z
  .looseObject({
    model: z.string().optional(),
    input_tokens: z.number().optional(),
    output_tokens: z.number().optional(),
    cache_read_tokens: z.number().optional(),
    cache_creation_tokens: z.number().optional(),
    cost: z.number().optional(),
  })
  .describe("Usage and cost of an assistant reply");

export const Timestamp = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), { message: "timestamp must be an ISO 8601 date" });

/** A message as clients send it (timestamp optional). */
export const MessageInput = z.object({
  role: Role,
  content: z.string(),
  timestamp: Timestamp.optional(),
  files: stringList("files")
    .optional()
    .describe("Paths relative to the workspace (or `attachments/...` from an upload), or http(s) URLs"),
  pinned: z.boolean().optional(),
  hide: z.boolean().optional(),
  call_id: z.string().optional(),
  metadata: MessageMetadata.optional(),
});

export const Message = MessageInput.extend({ timestamp: z.string() });

export const ChatSettings = z
  .looseObject({
    name: z.string().optional(),
    model: z.string({ error: "model must be a string" }).nullable().optional(),
    tools: stringList("tools").nullable().optional(),
    tool_format: z.enum(["markdown", "xml", "tool"]).nullable().optional(),
    stream: z.boolean().optional(),
    interactive: z.boolean().optional(),
    workspace: z.string({ error: "chat.workspace must be a string path" }).optional(),
    agent: z.string().nullable().optional(),
  })
  .describe("gptme's [chat] table");

export const ChatConfig = z
  .looseObject({
    chat: ChatSettings.optional(),
    env: z.record(z.string(), z.string()).optional(),
    mcp: z.looseObject({}).optional(),
  })
  .describe("gptme's ChatConfig: {chat, env, mcp}");

export const ConversationSummary = z.object({
  id: z.string(),
  name: z.string(),
  path: z.string(),
  created: z.number().describe("Epoch seconds"),
  modified: z.number().describe("Epoch seconds"),
  messages: z.number().int(),
  branches: z.number().int(),
  workspace: z.string(),
  message_count: z.number().int().describe("Alias of messages"),
  last_updated: z.number().describe("Alias of modified"),
  last_message_role: Role.nullable(),
  last_message_preview: z.string(),
  total_cost: z.number(),
  total_input_tokens: z.number().int(),
  total_output_tokens: z.number().int(),
  first_user_message_preview: z
    .string()
    .describe(
      "Opening words of the first user message (whitespace collapsed, about 60 characters): a title to show " +
        "while the conversation has no name of its own (`name` is then its id). Empty when it has no user message.",
    ),
  search_snippet: z
    .string()
    .nullable()
    .optional()
    .describe(
      "Only with `q`: the text around the first match in the conversation's visible messages (one line, `…` " +
        "where cut), or null when only the id, name or previews matched",
    ),
});

export const ConversationPage = z.object({
  conversations: z.array(ConversationSummary),
  next_cursor: z.string().nullable(),
});

export const ConversationDetail = z.object({
  id: z.string(),
  name: z.string(),
  log: z.array(Message),
  logfile: z.string(),
  logdir: z.string(),
  workspace: z.string(),
  branches: z.record(z.string(), z.array(Message)),
  total_messages: z.number().int().optional(),
  has_more: z.boolean().optional(),
  before: z.number().int().optional().describe("With limit: the index to page back from; absent at the start"),
  session: z
    .object({ id: z.string(), generating: z.boolean(), last_error: z.string().nullable() })
    .optional()
    .describe("The most recent live session, when there is one"),
});

export const CreateConversationBody = z.object({
  config: ChatConfig.optional(),
  prompt: z.string().optional().describe('"full" (default), "short", or a custom system prompt'),
  messages: z.array(MessageInput).optional(),
  auto_confirm: z.union([z.boolean(), z.number().int()]).optional(),
});

export const AppendMessageBody = MessageInput.extend({
  branch: z.string().optional(),
  tools: stringList("tools").optional().describe("Tool names to check (400 when one does not exist)"),
});
