/** `POST .../fork?after_message=N`: a new conversation from the first N+1 messages (gptme HEAD). */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { BadRequestError, ConflictError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";
import { BranchName, ConversationParams, errorResponses, jsonContent } from "./schemas/common.js";

type AppContext = Context<AppEnvironment>;

const ForkQuery = z.object({
  after_message: z.string().optional().describe("Index of the last message to copy (required)"),
  branch: z.string().optional().describe("Branch to copy from (default `main`)"),
});

const Forked = z.object({ status: z.literal("ok"), conversation_id: z.string(), session_id: z.string() });

export class ForkConversation extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["conversations"],
    summary: "Fork: a new conversation with a copy of the messages up to after_message",
    description:
      "The new conversation (`chat-<time>-<digits>`, named `Fork of <name> @ msg N+1`) keeps the config and " +
      "the workspace, and gets its own copies of the uploads the copied messages reference. 409 while generating.",
    request: { params: ConversationParams, query: ForkQuery },
    responses: { "200": jsonContent(Forked, "Forked, with a session on the new conversation"), ...errorResponses(400, 401, 404, 409) },
  };

  async handle(c: AppContext) {
    const { params, query } = await this.getValidatedData<typeof this.schema>();
    if (query.after_message === undefined) throw new BadRequestError("after_message query parameter is required");
    if (!/^\s*[+-]?\d+\s*$/.test(query.after_message)) throw new BadRequestError("after_message must be an integer");
    const branch = query.branch ?? "main";
    if (!BranchName.safeParse(branch).success) throw new BadRequestError("Invalid branch name");
    const id = await c.env.conversations.fork({
      sourceId: params.id,
      afterMessage: Number(query.after_message),
      branch,
      guard: () => {
        if (c.env.sessions.isGenerating(params.id)) throw new ConflictError("Cannot fork while generation is in progress");
      },
    });
    const session = c.env.sessions.create(id);
    return c.json({ status: "ok" as const, conversation_id: id, session_id: session.id });
  }
}
