/** Generation over HTTP: step, tool confirmation, interrupt (gptme's V2 session endpoints). */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { AppError, BadRequestError, NotFoundError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";
import { BranchName, ConversationParams, errorResponses, jsonContent } from "./schemas/common.js";
import { AutoConfirmLeft } from "./schemas/events.js";
import { blankAsMissing, optionalString, requiredString } from "./schemas/fields.js";

type AppContext = Context<AppEnvironment>;
const tags = ["sessions"];

const toolActions = ["confirm", "edit", "skip", "auto"];

export const StepBody = z.object({
  session_id: requiredString("session_id"),
  model: z.string().optional().describe("provider/model; empty or absent: the conversation's, else the server's default"),
  stream: z.boolean().optional(),
  branch: z.string().optional(),
  auto_confirm: z.union([z.boolean(), z.number().int()]).optional().describe("true: run every tool; N: the next N tools"),
  use_acp: z
    .boolean({ error: "use_acp must be a boolean" })
    .optional()
    .describe("gptme's Agent Client Protocol mode: not supported here (`true` answers 501)"),
});

export const ConfirmBody = z.object({
  session_id: optionalString("session_id").describe("Optional: the tool is looked up in every session of the conversation"),
  tool_id: blankAsMissing("tool_id").describe("Required unless the request only sets `auto_confirm`"),
  action: blankAsMissing("action").describe("confirm | edit | skip | auto (required with tool_id)"),
  content: z.string().optional().describe("The edited tool content (edit)"),
  count: z.number().int().optional().describe("How many tools to auto-confirm (auto)"),
  auto_confirm: z
    .union([z.boolean(), z.number().int()])
    .optional()
    .describe(
      "Sets auto-confirm after the decision, also while a generation runs: `false` turns it off (then `tool_id` " +
        "and `action` may be left out), `true` auto-confirms every tool, N the next N",
    ),
});

export const InterruptBody = z.object({ session_id: requiredString("session_id") });

const StatusMessage = z.object({ status: z.literal("ok"), message: z.string(), session_id: z.string().optional() });
const ConfirmAnswer = StatusMessage.extend({ auto_confirm_left: AutoConfirmLeft });

const startWaitMs = 5000;

/**
 * Waits (at most 5 s, as gptme HEAD) for the generation to show a first sign of life, so a script
 * calling step learns of an early failure (bad key, provider down) from the HTTP answer itself.
 * Resolves with the error text, or null once the model produced anything or time ran out.
 */
function firstSignal(c: AppContext, conversationId: string): { result: Promise<string | null>; cancel: () => void } {
  let settle!: (value: string | null) => void;
  const result = new Promise<string | null>((resolve) => (settle = resolve));
  const timer = setTimeout(() => done(null), startWaitMs);
  const subscription = c.env.sessions.subscribe(conversationId, null, ({ event }) => {
    if (event.type === "error") done(event.error);
    else if (["generation_progress", "generation_complete", "tool_pending", "interrupted"].includes(event.type)) done(null);
  });
  function done(value: string | null) {
    clearTimeout(timer);
    subscription.unsubscribe();
    settle(value);
  }
  return { result, cancel: () => done(null) };
}

async function requireConversation(c: AppContext, id: string) {
  if (!(await c.env.store.get(id))) throw new NotFoundError(`Conversation not found: ${id}`);
}

export class StepConversation extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Start generating the next reply (runs in the background; follow the events)",
    request: { params: ConversationParams, body: { content: { "application/json": { schema: StepBody } } } },
    responses: {
      "200": jsonContent(StatusMessage, "Step started"),
      ...errorResponses(400, 401, 403, 404, 409, 501, 502, 503),
    },
  };

  async handle(c: AppContext) {
    const { params, body } = await this.getValidatedData<typeof this.schema>();
    if (body.branch !== undefined && !BranchName.safeParse(body.branch).success) {
      throw new BadRequestError("Invalid branch name");
    }
    await requireConversation(c, params.id);
    if (body.use_acp) throw new AppError(501, "use_acp is not supported by gptme-ts: it runs the agent itself, not through ACP");
    const started = firstSignal(c, params.id);
    try {
      await c.env.sessions.step(params.id, {
        sessionId: body.session_id,
        model: body.model,
        stream: body.stream,
        branch: body.branch,
        autoConfirm: body.auto_confirm,
      });
    } catch (error) {
      started.cancel();
      throw error;
    }
    const error = await started.result;
    if (error !== null) throw new AppError(502, error, { session_id: body.session_id });
    return c.json({ status: "ok" as const, message: "Step started", session_id: body.session_id });
  }
}

export class ConfirmTool extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Confirm, edit, skip or auto-confirm a pending tool",
    request: { params: ConversationParams, body: { content: { "application/json": { schema: ConfirmBody } } } },
    responses: { "200": jsonContent(ConfirmAnswer, "Decision taken"), ...errorResponses(400, 401, 403, 404) },
  };

  async handle(c: AppContext) {
    const { params, body } = await this.getValidatedData<typeof this.schema>();
    const onlyAutoConfirm = body.tool_id == null && body.action == null && body.auto_confirm !== undefined;
    if (!onlyAutoConfirm && body.tool_id == null) throw new BadRequestError("tool_id is required");
    if (!onlyAutoConfirm && body.action == null) throw new BadRequestError("action is required");
    if (body.action != null && !toolActions.includes(body.action)) throw new BadRequestError(`Unknown action: ${body.action}`);
    await requireConversation(c, params.id);
    const sessions = c.env.sessions;
    // Turning auto-confirm off comes first, so the tool the user is deciding on is not the last one it runs.
    let left = sessions.state(params.id).autoConfirmLeft;
    if (body.auto_confirm === false) left = sessions.setAutoConfirm(params.id, false, body.session_id ?? undefined);
    let message = "Auto-confirm off";
    if (!onlyAutoConfirm) {
      message = await sessions.confirm(params.id, {
        sessionId: body.session_id ?? undefined,
        toolId: body.tool_id!,
        action: body.action as "confirm",
        content: body.content,
        count: body.count,
      });
      left = sessions.state(params.id).autoConfirmLeft;
    }
    if (body.auto_confirm !== undefined && body.auto_confirm !== false) {
      left = sessions.setAutoConfirm(params.id, body.auto_confirm, body.session_id ?? undefined);
      if (onlyAutoConfirm) message = "Auto-confirm set";
    }
    return c.json({ status: "ok" as const, message, auto_confirm_left: left });
  }
}

export class InterruptGeneration extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Interrupt the running generation or tool (idempotent)",
    request: { params: ConversationParams, body: { content: { "application/json": { schema: InterruptBody } } } },
    responses: { "200": jsonContent(StatusMessage, "Interrupted"), ...errorResponses(400, 401, 403, 404) },
  };

  async handle(c: AppContext) {
    const { params, body } = await this.getValidatedData<typeof this.schema>();
    await requireConversation(c, params.id);
    const message = await c.env.sessions.interrupt(params.id, body.session_id);
    return c.json({ status: "ok" as const, message });
  }
}
