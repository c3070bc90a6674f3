/**
 * Slash commands: `GET /api/v2/commands`, and a message `/something` posted to a conversation,
 * which runs as gptme HEAD runs it (the answer has `command: true`; `/exit` and the other
 * terminal-only commands answer 400). The command's report reaches clients as a `message_added`
 * marked `stored: false` and in the answer's `output`; it is not kept in the log.
 */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { BadRequestError, ConflictError } from "../runtime/errors.js";
import { isSlashCommand } from "../runtime/commands/parse.js";
import type { Message } from "../runtime/store/types.js";
import type { AppEnvironment } from "./bindings.js";
import { messageToWire } from "./presenters.js";
import { errorResponses, jsonContent } from "./schemas/common.js";

type AppContext = Context<AppEnvironment>;

export const CommandAnswer = z.object({
  status: z.literal("ok"),
  command: z.literal(true),
  responses: z.number().describe("Messages the command added to the log (gptme's count)"),
  output: z.string().describe("What the command reports (not kept in the log)"),
});

export class ListCommands extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["commands"],
    summary: "Slash commands a message may start with",
    description: "Those listed as not available in server mode answer 400 when posted.",
    responses: { "200": jsonContent(z.object({ commands: z.array(z.string()) }), "Commands"), ...errorResponses(401) },
  };

  async handle(c: AppContext) {
    return c.json({ commands: c.env.commands.names() });
  }
}

/** A user message that is a command (`/undo`, not `/etc/hosts ...`). */
export function isCommandMessage(message: { role: string; content: string }): boolean {
  return message.role === "user" && isSlashCommand(message.content);
}

/** Runs a posted command and answers for it; the caller has checked the conversation and generation. */
export async function answerCommand(c: AppContext, conversationId: string, message: Message, workspace: string) {
  const blocked = c.env.commands.blocked(message.content);
  if (blocked) throw new BadRequestError(`Command /${blocked} is not available in server mode`);
  if (c.env.commands.isRunning(conversationId)) throw new ConflictError("Another command is running on this conversation");
  const sessions = c.env.sessions;
  sessions.publish(conversationId, { type: "message_added", message: messageToWire(message, workspace), stored: false });
  const result = await c.env.commands.run(conversationId, message.content);
  if (result.logChanged) {
    const branches = await c.env.store.branches(conversationId);
    const wire = Object.fromEntries(
      Object.entries(branches).map(([name, messages]) => [name, messages.map((entry) => messageToWire(entry, workspace))]),
    );
    const log = wire.main ?? [];
    // What a command changes is the end of the log (`/undo`): the edit starts where the log now ends.
    sessions.publish(conversationId, { type: "conversation_edited", index: log.length, truncated: true, log, branches: wire });
  }
  if (result.config) {
    sessions.publish(conversationId, { type: "config_changed", config: result.config.config, changed_fields: result.config.changedFields });
  }
  if (result.output) {
    const report: Message = { role: "system", content: result.output, timestamp: new Date().toISOString() };
    sessions.publish(conversationId, { type: "message_added", message: report, stored: false });
  }
  return c.json({ status: "ok" as const, command: true as const, responses: 0, output: result.output });
}
