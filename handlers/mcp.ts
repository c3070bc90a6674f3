/** A conversation's MCP servers and their state (the web UI's settings panel): gptme has no such route. */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import type { AppEnvironment } from "./bindings.js";
import { ConversationParams, errorResponses, jsonContent } from "./schemas/common.js";
import { McpOverview } from "./schemas/mcp.js";

type AppContext = Context<AppEnvironment>;

export class ConversationMcpServers extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["mcp"],
    summary: "A conversation's MCP servers, their state and tools",
    description:
      "Reads the MCP configuration (user config, the workspace's gptme.toml, the conversation's `config.mcp`) without starting anything. " +
      "Servers start on the conversation's first step (`auto_start`) or through the `mcp` tool.",
    request: { params: ConversationParams },
    responses: { "200": jsonContent(McpOverview, "MCP servers"), ...errorResponses(400, 401, 404) },
  };

  async handle(c: AppContext) {
    const { params } = await this.getValidatedData<typeof this.schema>();
    return c.json(await c.env.mcp.overview(params.id));
  }
}
