/** V2 conversation CRUD: list, get, create (PUT), append (POST), delete. */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { BadRequestError, ConflictError, NotFoundError } from "../runtime/errors.js";
import type { Message } from "../runtime/store/types.js";
import type { AppEnvironment } from "./bindings.js";
import { answerCommand, CommandAnswer, isCommandMessage } from "./commands.js";
import { conversationDetail, detailEtagParts, type MessagePage } from "./conversation-detail.js";
import { etagMatches, weakEtag } from "./etag.js";
import { cachedListBody } from "./list-cache.js";
import { messageFromInput, messageToWire, summaryToWire } from "./presenters.js";
import { BranchName, ConversationParams, StatusOk, errorResponses, jsonContent } from "./schemas/common.js";
import {
  AppendMessageBody,
  ConversationDetail,
  ConversationPage,
  ConversationSummary,
  CreateConversationBody,
} from "./schemas/conversation.js";

type AppContext = Context<AppEnvironment>;
const tags = ["conversations"];

const ListQuery = z.object({
  limit: z.string().optional().describe("Page size (default 100, at most 1000)"),
  paginated: z.string().optional().describe("`1`/`true`: answer `{conversations, next_cursor}`"),
  cursor: z.string().optional().describe("`next_cursor` of the previous page"),
  q: z
    .string()
    .optional()
    .describe(
      "Case-insensitive substring search over id, name, previews and the text of every visible message " +
        "(hidden system messages excluded); still newest first, and each item carries `search_snippet`",
    ),
  search: z.string().optional().describe("Alias of q"),
});

export function parseLimit(value: string | undefined, fallback: number, maximum: number): number {
  if (value === undefined || value === "") return fallback;
  if (!/^-?\d+$/.test(value.trim())) throw new BadRequestError("limit must be an integer");
  const limit = Number(value);
  if (limit <= 0) throw new BadRequestError("limit must be a positive integer");
  return Math.min(limit, maximum);
}

const truthy = (value: string | undefined) => value !== undefined && ["1", "true", "yes"].includes(value.toLowerCase());

export class ListConversations extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "List conversations, newest first",
    description: "A bare array (gptme's shape), or `{conversations, next_cursor}` with `paginated=1`.",
    request: { query: ListQuery },
    responses: {
      "200": jsonContent(z.union([z.array(ConversationSummary), ConversationPage]), "Conversations"),
      ...errorResponses(400, 401),
    },
  };

  async handle(c: AppContext) {
    // The same schema as the docs, applied directly: the list is the hottest route, and chanfana
    // builds a new strict validation schema on every request.
    const query = ListQuery.parse(c.req.query());
    const limit = parseLimit(query.limit, 100, 1000);
    const search = query.q ?? query.search ?? undefined;
    const paginated = truthy(query.paginated);
    const key = JSON.stringify([limit, query.cursor ?? "", search ?? "", paginated]);
    const { body, etag } = await cachedListBody(c.env, key, async () => {
      const page = await c.env.store.list({ limit, cursor: query.cursor || undefined, query: search });
      const items = page.items.map((item) => summaryToWire(item, c.env.conversations.directory(item.id)));
      return paginated ? { conversations: items, next_cursor: page.nextCursor } : items;
    });
    c.header("ETag", etag);
    c.header("Cache-Control", "no-cache");
    if (c.req.header("if-none-match") === etag) return c.body(null, 304);
    return c.body(body, 200, { "Content-Type": "application/json" });
  }
}

const DetailQuery = z.object({
  limit: z.string().optional().describe("Only the last N messages (at most 10 000), of the log and of every branch"),
  before: z.string().optional().describe("With limit: the messages before this index"),
});

/** gptme HEAD's rules and messages for `?limit=&before=`. */
function parsePage(query: z.infer<typeof DetailQuery>): MessagePage | undefined {
  const integer = (value: string) => (/^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN);
  let limit: number | undefined;
  if (query.limit !== undefined) {
    limit = integer(query.limit);
    if (!(limit > 0)) throw new BadRequestError("limit must be a positive integer");
  }
  let before: number | undefined;
  if (query.before !== undefined) {
    before = integer(query.before);
    if (!(before >= 0)) throw new BadRequestError("before must be a non-negative integer");
    if (limit === undefined) throw new BadRequestError("before requires limit to be set");
  }
  return limit === undefined ? undefined : { limit: Math.min(limit, 10_000), before };
}

export class GetConversation extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "A conversation with its log and branches",
    description:
      "Sends a weak `ETag`; `If-None-Match` with it answers 304. With `limit`, every branch is paged like " +
      "`log` (gptme sends the branches whole), so the answer stays small however long the conversation is.",
    request: { params: ConversationParams, query: DetailQuery },
    responses: {
      "200": jsonContent(ConversationDetail, "The conversation"),
      "304": { description: "Not modified since the ETag in If-None-Match" },
      ...errorResponses(400, 401, 404),
    },
  };

  async handle(c: AppContext) {
    const { params, query } = await this.getValidatedData<typeof this.schema>();
    const page = parsePage(query);
    const conversation = await c.env.store.get(params.id);
    if (!conversation) throw new NotFoundError(`Conversation not found: ${params.id}`);
    const etag = weakEtag(conversation.version, detailEtagParts(c.env, params.id, page));
    c.header("ETag", etag);
    c.header("Cache-Control", "no-cache");
    if (etagMatches(c.req.header("if-none-match"), etag)) return c.body(null, 304);
    return c.json(await conversationDetail(c.env, conversation, page));
  }
}

export class CreateConversation extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Create a conversation (gptme's PUT)",
    description:
      "Stores the system prompt (hidden, pinned) then the given messages. An empty `model` means the " +
      "server's default; workspace `.` the server's default workspace; no workspace an isolated one.",
    request: {
      params: ConversationParams,
      body: { content: { "application/json": { schema: CreateConversationBody } } },
    },
    responses: {
      "200": jsonContent(
        z.object({ status: z.literal("ok"), conversation_id: z.string(), session_id: z.string() }),
        "Created",
      ),
      ...errorResponses(400, 401, 409, 413),
    },
  };

  async handle(c: AppContext) {
    const { params, body } = await this.getValidatedData<typeof this.schema>();
    if (await c.env.store.get(params.id)) throw new ConflictError(`Conversation already exists: ${params.id}`);
    const now = new Date().toISOString();
    const messages: Message[] = (body.messages ?? []).map((message) => ({
      ...message,
      timestamp: message.timestamp ?? now,
    }));
    await c.env.conversations.create(params.id, {
      config: body.config as never,
      prompt: body.prompt,
      messages,
    });
    const session = c.env.sessions.create(params.id, { autoConfirm: body.auto_confirm });
    return c.json({ status: "ok" as const, conversation_id: params.id, session_id: session.id });
  }
}

export class AppendMessage extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Append a message, or run a slash command",
    description:
      "A user message starting with a command (`/undo`, `/model openai/gpt-4o`; see `GET /api/v2/commands`) runs it " +
      "instead of being stored; `/exit`, `/restart`, `/edit` and `/delete` answer 400 in server mode.",
    request: {
      params: ConversationParams,
      body: { content: { "application/json": { schema: AppendMessageBody } } },
    },
    responses: {
      "200": jsonContent(z.union([StatusOk, CommandAnswer]), "Appended, or the command run (`command: true`)"),
      ...errorResponses(400, 401, 404, 409, 413),
    },
  };

  async handle(c: AppContext) {
    const { params, body } = await this.getValidatedData<typeof this.schema>();
    const branch = body.branch ?? "main";
    const branchCheck = BranchName.safeParse(branch);
    if (!branchCheck.success) throw new BadRequestError(branchCheck.error.issues[0]?.message ?? "Invalid branch name");
    const conversation = await c.env.store.get(params.id);
    if (!conversation) throw new NotFoundError(`Conversation not found: ${params.id}`);
    if (branch !== "main" && !(branch in (await c.env.store.branches(params.id)))) {
      throw new NotFoundError(`Branch not found: ${branch}`);
    }
    await c.env.sessions.skipPendingTools(params.id);
    if (c.env.sessions.isGenerating(params.id) || c.env.commands.isRunning(params.id)) {
      throw new ConflictError("Cannot add message while generation is in progress");
    }
    if (body.tools) c.env.conversations.validateTools(body.tools);
    const files = body.files && (await c.env.conversations.resolveFiles(params.id, conversation.workspace, body.files));
    const message = messageFromInput({ ...body, files });
    if (isCommandMessage(message)) return answerCommand(c, params.id, message, conversation.workspace);
    await c.env.store.append(params.id, [message], branch);
    const wire = messageToWire(message, conversation.workspace, c.env.conversations.directory(params.id));
    c.env.sessions.publish(params.id, { type: "message_added", message: wire });
    return c.json({ status: "ok" as const });
  }
}

export class DeleteConversation extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Delete a conversation",
    request: { params: ConversationParams },
    responses: { "200": jsonContent(StatusOk, "Deleted"), ...errorResponses(400, 401, 404, 409) },
  };

  async handle(c: AppContext) {
    const { params } = await this.getValidatedData<typeof this.schema>();
    await c.env.sessions.cancelPendingTools(params.id);
    if (c.env.sessions.isGenerating(params.id)) {
      throw new ConflictError("Cannot delete conversation while generation is in progress");
    }
    if (!(await c.env.conversations.delete(params.id))) throw new NotFoundError(`Conversation not found: ${params.id}`);
    c.env.sessions.forget(params.id);
    c.env.elicitations.cancelAll(params.id);
    return c.json({ status: "ok" as const });
  }
}
