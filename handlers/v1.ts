/**
 * gptme's V1 API for old scripts: synchronous generation with every tool auto-confirmed. Unlike
 * gptme, failures are proper HTTP statuses with `{error}` (gptme answered 200 or crashed with 500).
 */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { AppError, BadRequestError, ConflictError, NotFoundError } from "../runtime/errors.js";
import type { Message } from "../runtime/store/types.js";
import type { AppEnvironment } from "./bindings.js";
import { FrameChannel } from "./frame-channel.js";
import { parseLimit } from "./conversations.js";
import { requireHeaderCredential } from "./middleware/auth.js";
import { messageFromInput, messageToWire, summaryToWire } from "./presenters.js";
import { BranchName, ConversationParams, StatusOk, errorResponses, jsonContent } from "./schemas/common.js";
import { AppendMessageBody, ChatConfig, ConversationSummary, Message as MessageSchema, MessageInput } from "./schemas/conversation.js";

type AppContext = Context<AppEnvironment>;
const tags = ["v1"];

export class V1ListConversations extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "List conversations (V1)",
    request: { query: z.object({ limit: z.string().optional() }) },
    responses: { "200": jsonContent(z.array(ConversationSummary), "Conversations"), ...errorResponses(400, 401) },
  };

  async handle(c: AppContext) {
    const { query } = await this.getValidatedData<typeof this.schema>();
    const page = await c.env.store.list({ limit: parseLimit(query.limit, 100, 1000) });
    return c.json(page.items.map((item) => summaryToWire(item, c.env.conversations.directory(item.id))));
  }
}

export class V1GetConversation extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "A conversation (V1)",
    request: { params: ConversationParams },
    responses: {
      "200": jsonContent(
        z.object({
          id: z.string(),
          name: z.string(),
          log: z.array(MessageSchema),
          logfile: z.string(),
          branches: z.record(z.string(), z.array(MessageSchema)),
          workspace: z.string(),
        }),
        "The conversation",
      ),
      ...errorResponses(400, 401, 404),
    },
  };

  async handle(c: AppContext) {
    const { params } = await this.getValidatedData<typeof this.schema>();
    const conversation = await c.env.store.get(params.id);
    if (!conversation) throw new NotFoundError(`Conversation not found: ${params.id}`);
    const branches = await c.env.store.branches(params.id);
    const toWire = (messages: Message[]) => messages.map((message) => messageToWire(message, conversation.workspace, c.env.conversations.directory(conversation.id)));
    return c.json({
      id: conversation.id,
      name: conversation.name,
      log: toWire(branches.main ?? []),
      logfile: c.env.conversations.directory(params.id),
      branches: Object.fromEntries(Object.entries(branches).map(([name, messages]) => [name, toWire(messages)])),
      workspace: conversation.workspace,
    });
  }
}

export class V1CreateConversation extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Create a conversation (V1)",
    request: {
      params: ConversationParams,
      body: {
        content: {
          "application/json": {
            schema: z.object({ config: ChatConfig.optional(), prompt: z.string().optional(), messages: z.array(MessageInput).optional() }),
          },
        },
      },
    },
    responses: { "200": jsonContent(StatusOk, "Created"), ...errorResponses(400, 401, 409) },
  };

  async handle(c: AppContext) {
    const { params, body } = await this.getValidatedData<typeof this.schema>();
    if (await c.env.store.get(params.id)) throw new ConflictError(`Conversation already exists: ${params.id}`);
    const now = new Date().toISOString();
    await c.env.conversations.create(params.id, {
      config: body.config as never,
      prompt: body.prompt,
      messages: (body.messages ?? []).map((message) => ({ ...message, timestamp: message.timestamp ?? now })),
    });
    return c.json({ status: "ok" as const });
  }
}

export class V1AppendMessage extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Append a message (V1)",
    request: { params: ConversationParams, body: { content: { "application/json": { schema: AppendMessageBody } } } },
    responses: { "200": jsonContent(StatusOk, "Appended"), ...errorResponses(400, 401, 404, 409) },
  };

  async handle(c: AppContext) {
    const { params, body } = await this.getValidatedData<typeof this.schema>();
    const branch = body.branch ?? "main";
    if (!BranchName.safeParse(branch).success) throw new BadRequestError("Invalid branch name");
    const conversation = await c.env.store.get(params.id);
    if (!conversation) throw new NotFoundError(`Conversation not found: ${params.id}`);
    if (c.env.sessions.isGenerating(params.id)) throw new ConflictError("Cannot add message while generation is in progress");
    const files = body.files && (await c.env.conversations.resolveFiles(params.id, conversation.workspace, body.files));
    const message = messageFromInput({ ...body, files });
    await c.env.store.append(params.id, [message], branch);
    c.env.sessions.publish(params.id, { type: "message_added", message });
    return c.json({ status: "ok" as const });
  }
}

const GenerateBody = z.object({ model: z.string().optional(), stream: z.boolean().optional(), branch: z.string().optional() });
const GeneratedMessage = z.object({ role: z.string(), content: z.string(), stored: z.boolean(), files: z.array(z.string()).optional() });

export class V1Generate extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Generate a reply and run its tools, auto-confirmed (V1)",
    description:
      "Without `stream`: a JSON list of the stored messages. With `stream: true`: SSE `data:` chunks `{role, content, stored}`. " +
      "Tools run without confirmation, so this route accepts only the `Authorization` header (403 for the cookie or `?token=`).",
    request: { params: ConversationParams, body: { content: { "application/json": { schema: GenerateBody } } } },
    responses: {
      "200": jsonContent(z.array(GeneratedMessage), "Messages generated (or an SSE stream)"),
      ...errorResponses(400, 401, 403, 404, 409, 503),
    },
  };

  async handle(c: AppContext) {
    requireHeaderCredential(c, "POST /api/conversations/{id}/generate runs tools without confirmation");
    const { params, body } = await this.getValidatedData<typeof this.schema>();
    const id = params.id;
    if (body.branch !== undefined && !BranchName.safeParse(body.branch).success) throw new BadRequestError("Invalid branch name");
    const conversation = await c.env.store.get(id);
    if (!conversation) throw new NotFoundError(`Conversation not found: ${id}`);
    const sessions = c.env.sessions;
    const session = sessions.create(id, { autoConfirm: true });
    const collected: Array<z.infer<typeof GeneratedMessage>> = [];
    const errors: string[] = [];
    const chunks: string[] = [];
    let wake: (() => void) | null = null;
    const subscription = sessions.subscribe(id, null, ({ event }) => {
      if (event.type === "generation_progress") chunks.push(event.token);
      if (event.type === "message_added" && event.message.role !== "user") {
        collected.push({ role: event.message.role, content: event.message.content, stored: true, ...(event.message.files ? { files: event.message.files } : {}) });
      }
      if (event.type === "error") errors.push(event.error);
      wake?.();
    });
    try {
      await sessions.step(id, { sessionId: session.id, model: body.model, stream: body.stream ?? false, branch: body.branch, autoConfirm: true });
    } catch (error) {
      subscription.unsubscribe();
      throw error;
    }
    if (!body.stream) {
      await sessions.settled(id);
      subscription.unsubscribe();
      if (errors.length > 0 && !collected.some((message) => message.role === "assistant")) {
        throw new AppError(502, `Generation failed: ${errors[0]}`);
      }
      return c.json(collected);
    }
    const done = sessions.settled(id).then(() => "done" as const);
    // The same frame channel as the V2 event stream: the Node adapter writes it straight to the socket.
    const channel = new FrameChannel();
    let clientGone = false;
    channel.onAbort(() => {
      clientGone = true;
      wake?.();
    });
    const send = (payload: unknown) => {
      channel.write(`data: ${JSON.stringify(payload)}\n\n`);
      return channel.drained();
    };
    void (async () => {
      let sentMessages = 0;
      let sentErrors = 0;
      try {
        while (!clientGone) {
          while (chunks.length > 0) await send({ role: "assistant", content: chunks.shift(), stored: false });
          while (sentMessages < collected.length) await send(collected[sentMessages++]);
          while (sentErrors < errors.length) await send({ error: errors[sentErrors++] });
          const result = await Promise.race([done, new Promise<"wake">((resolve) => (wake = () => resolve("wake")))]);
          if (result === "done" && chunks.length === 0 && sentMessages === collected.length && sentErrors === errors.length) break;
        }
      } finally {
        subscription.unsubscribe();
        channel.close();
      }
    })();
    return channel.response({ "Cache-Control": "no-cache", "X-Accel-Buffering": "no", Connection: "keep-alive" });
  }
}

