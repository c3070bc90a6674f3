/** `POST .../rerun`: run the last reply's tool uses again without asking the model (gptme HEAD). */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { NotFoundError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";
import { ConversationParams, errorResponses, jsonContent } from "./schemas/common.js";
import { requiredString } from "./schemas/fields.js";

type AppContext = Context<AppEnvironment>;

const RerunBody = z.object({ session_id: requiredString("session_id") });

const RerunAnswer = z.object({
  status: z.literal("ok"),
  message: z.string(),
  tool_ids: z.array(z.string()).describe("Tools announced by `tool_pending` so far (they run one after another)"),
});

/** Resolves with the ids of `tool_pending` events, once the first came (or the run ended without one). */
function firstPendingTools(c: AppContext, conversationId: string) {
  const ids: string[] = [];
  let seen!: () => void;
  const first = new Promise<void>((resolve) => (seen = resolve));
  const subscription = c.env.sessions.subscribe(conversationId, null, ({ event }) => {
    if (event.type === "tool_pending") {
      ids.push(event.tool_id);
      seen();
    } else if (event.type === "error") {
      seen();
    }
  });
  return {
    async ids() {
      await Promise.race([first, c.env.sessions.settled(conversationId)]);
      subscription.unsubscribe();
      return ids;
    },
    cancel: () => subscription.unsubscribe(),
  };
}

export class RerunTools extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["sessions"],
    summary: "Run the tool uses of the last assistant message again",
    description:
      "Each tool use gets a new `tool_pending` and the usual confirmation (or auto-confirmation); after them " +
      "generation goes on as after any tool. 400 without an assistant message or tool uses, 409 while generating.",
    request: { params: ConversationParams, body: { content: { "application/json": { schema: RerunBody } } } },
    responses: { "200": jsonContent(RerunAnswer, "Re-running"), ...errorResponses(400, 401, 403, 404, 409) },
  };

  async handle(c: AppContext) {
    const { params, body } = await this.getValidatedData<typeof this.schema>();
    if (!(await c.env.store.get(params.id))) throw new NotFoundError(`Conversation not found: ${params.id}`);
    const pending = firstPendingTools(c, params.id);
    let count: number;
    try {
      count = await c.env.sessions.rerun(params.id, body.session_id);
    } catch (error) {
      pending.cancel();
      throw error;
    }
    return c.json({ status: "ok" as const, message: `Re-running ${count} tool(s)`, tool_ids: await pending.ids() });
  }
}
