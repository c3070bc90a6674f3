/** A conversation's ChatConfig: read and merge-update (gptme's `GET/PATCH .../config`). */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { ConflictError, NotFoundError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";
import { ConversationParams, errorResponses, jsonContent } from "./schemas/common.js";
import { ChatConfig } from "./schemas/conversation.js";

type AppContext = Context<AppEnvironment>;
const tags = ["conversations"];

export class GetConversationConfig extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "A conversation's ChatConfig",
    request: { params: ConversationParams },
    responses: { "200": jsonContent(ChatConfig, "ChatConfig"), ...errorResponses(400, 401, 404) },
  };

  async handle(c: AppContext) {
    const { params } = await this.getValidatedData<typeof this.schema>();
    const conversation = await c.env.store.get(params.id);
    if (!conversation) throw new NotFoundError(`Chat config not found: ${params.id}`);
    return c.json(conversation.config);
  }
}

export class UpdateConversationConfig extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Merge-update a conversation's ChatConfig",
    description: "Fields given replace stored ones; a new tool set regenerates the system prompt.",
    request: {
      params: ConversationParams,
      body: { content: { "application/json": { schema: ChatConfig } } },
    },
    responses: {
      "200": jsonContent(
        z.object({ status: z.literal("ok"), message: z.string(), config: ChatConfig, tools: z.array(z.string()) }),
        "Updated",
      ),
      ...errorResponses(400, 401, 404, 409),
    },
  };

  async handle(c: AppContext) {
    const { params, body } = await this.getValidatedData<typeof this.schema>();
    const before = await c.env.store.get(params.id);
    if (!before) throw new NotFoundError(`Conversation not found: ${params.id}`);
    if (c.env.sessions.isGenerating(params.id)) {
      throw new ConflictError("Cannot update config while generation is in progress");
    }
    const { config, tools } = await c.env.conversations.updateConfig(params.id, body as never);
    const changed = Object.keys(config.chat).filter(
      (key) => JSON.stringify(config.chat[key]) !== JSON.stringify(before.config.chat[key]),
    );
    // The MCP servers listed for the conversation depend on its `mcp` (the web UI reloads them).
    if (JSON.stringify(config.mcp) !== JSON.stringify(before.config.mcp)) changed.push("mcp");
    if (changed.length > 0) c.env.sessions.publish(params.id, { type: "config_changed", config, changed_fields: changed });
    return c.json({ status: "ok" as const, message: "Chat config updated", config, tools });
  }
}
