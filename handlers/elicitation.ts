/** `POST .../elicit/respond`: answers a question the agent asked (an `elicit_pending` event). */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { BadRequestError, NotFoundError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";
import { ConversationParams, errorResponses, jsonContent } from "./schemas/common.js";
import { jsonObject, parseWith, pathParameter } from "./schemas/validate.js";

type AppContext = Context<AppEnvironment>;

export const ElicitRespondBody = z.object({
  elicit_id: z.string().describe("From the `elicit_pending` event"),
  action: z.enum(["accept", "decline", "cancel"]),
  value: z.unknown().optional().describe("The answer (text, choice, secret, confirmation; a form's JSON)"),
  values: z.array(z.string()).optional().describe("The choices of a multi_choice question"),
});

const actions = ["accept", "decline", "cancel"] as const;

/** gptme's checks, in gptme's order, with its messages. */
function validate(body: Record<string, unknown>): z.infer<typeof ElicitRespondBody> {
  const { elicit_id: elicitId, action } = body;
  if (elicitId === undefined || elicitId === null || !action) throw new BadRequestError("elicit_id and action are required");
  if (typeof elicitId !== "string") throw new BadRequestError("elicit_id must be a string");
  if (elicitId.trim() === "") throw new BadRequestError("elicit_id must not be blank");
  if (elicitId.trim() !== elicitId) throw new BadRequestError("elicit_id must not contain leading or trailing whitespace");
  if (typeof action !== "string" || !actions.includes(action as (typeof actions)[number])) {
    throw new BadRequestError(`Unknown action: ${String(action)}. Must be accept, decline, or cancel`);
  }
  if (body.values !== undefined && !(Array.isArray(body.values) && body.values.every((item) => typeof item === "string"))) {
    throw new BadRequestError("values must be a list of strings");
  }
  return body as z.infer<typeof ElicitRespondBody>;
}

export class RespondElicitation extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["sessions"],
    summary: "Answer a question the agent asked (accept with a value, decline, or cancel)",
    description: "404 when the question is not open on this conversation (answered, cancelled, or never asked).",
    request: { params: ConversationParams, body: { content: { "application/json": { schema: ElicitRespondBody } } } },
    responses: {
      "200": jsonContent(z.object({ status: z.literal("ok"), message: z.string() }), "Answered"),
      ...errorResponses(400, 401, 404),
    },
  };

  async handle(c: AppContext) {
    const conversationId = pathParameter(c, "id");
    parseWith(ConversationParams, { id: conversationId });
    if (!(await c.env.store.get(conversationId))) throw new NotFoundError(`Conversation not found: ${conversationId}`);
    const body = validate(await jsonObject(c));
    c.env.elicitations.respond(conversationId, body.elicit_id, { action: body.action, value: body.value, values: body.values });
    const past = { accept: "accepted", decline: "declined", cancel: "cancelled" }[body.action];
    return c.json({ status: "ok" as const, message: `Elicitation ${past}` });
  }
}
