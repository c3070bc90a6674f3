/** One message of a conversation: edit (or truncate after) and delete, as gptme HEAD (`/messages/{index}`). */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { BadRequestError, ConflictError, NotFoundError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";
import { conversationDetail } from "./conversation-detail.js";
import { ConversationId, errorResponses, jsonContent } from "./schemas/common.js";
import { ConversationDetail } from "./schemas/conversation.js";
import { stringList } from "./schemas/fields.js";

type AppContext = Context<AppEnvironment>;
const tags = ["conversations"];

const MessageParams = z.object({
  id: ConversationId,
  index: z.string().describe("Position in the main branch, counting the system prompt (0 is its first message)"),
});

const EditBody = z.object({
  content: z.string({ error: "content must be a string" }).nullish().describe("New content (user messages only)"),
  files: stringList("files").nullish().describe("New files, as in a posted message (user messages only)"),
});

const EditQuery = z.object({ truncate: z.string().optional().describe("`1`: also remove every message after this one") });

const editedDescription =
  "The old main branch is kept as a backup branch `main-edit-N`. Answers the whole conversation (as GET " +
  "without limit) and sends it to every client as a `conversation_edited` event. 409 while generating.";

async function requireConversation(c: AppContext, id: string) {
  const conversation = await c.env.store.get(id);
  if (!conversation) throw new NotFoundError(`Conversation not found: ${id}`);
  return conversation;
}

/** Refuses while a generation runs; checked again just before the edit is written. */
function idleGuard(c: AppContext, id: string, message: string): () => void {
  return () => {
    if (c.env.sessions.isGenerating(id)) throw new ConflictError(message);
  };
}

async function answerEdited(c: AppContext, id: string, index: number, truncated: boolean): Promise<Response> {
  const detail = await conversationDetail(c.env, (await c.env.store.get(id))!);
  c.env.sessions.publish(id, { type: "conversation_edited", index, truncated, log: detail.log, branches: detail.branches });
  return c.json(detail);
}

export class EditMessage extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Edit a user message, or cut the conversation after a message (`?truncate=1`)",
    description: editedDescription,
    request: {
      params: MessageParams,
      query: EditQuery,
      body: { content: { "application/json": { schema: EditBody } } },
    },
    responses: { "200": jsonContent(ConversationDetail, "The edited conversation"), ...errorResponses(400, 401, 404, 409) },
  };

  async handle(c: AppContext) {
    const { params, query, body } = await this.getValidatedData<typeof this.schema>();
    const truncate = query.truncate === "1";
    const content = body.content ?? undefined;
    const hasChanges = (content !== undefined && content.trim() !== "") || (body.files !== undefined && body.files !== null);
    if (!truncate && !hasChanges) throw new BadRequestError("content or files is required");
    const conversation = await requireConversation(c, params.id);
    const guard = idleGuard(c, params.id, "Cannot edit while generation is in progress");
    guard();
    const files = body.files ? await c.env.conversations.resolveFiles(params.id, conversation.workspace, body.files) : undefined;
    const index = Number(params.index);
    await c.env.conversations.editMessage(params.id, index, { content, files, truncate }, { guard });
    return answerEdited(c, params.id, index, truncate);
  }
}

export class DeleteMessage extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Delete a message (not a system message)",
    description: `Refused when it would leave two user or two assistant messages in a row. ${editedDescription}`,
    request: { params: MessageParams },
    responses: { "200": jsonContent(ConversationDetail, "The conversation without it"), ...errorResponses(400, 401, 404, 409) },
  };

  async handle(c: AppContext) {
    const { params } = await this.getValidatedData<typeof this.schema>();
    await requireConversation(c, params.id);
    const guard = idleGuard(c, params.id, "Cannot delete while generation is in progress");
    guard();
    const index = Number(params.index);
    await c.env.conversations.deleteMessage(params.id, index, { guard });
    return answerEdited(c, params.id, index, false);
  }
}
