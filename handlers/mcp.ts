/** A conversation's MCP servers and their state (the web UI's settings panel): gptme has no such route. */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import type { AppEnvironment } from "./bindings.js";
import { ConversationParams, errorResponses, jsonContent } from "./schemas/common.js";

type AppContext = Context<AppEnvironment>;

const McpServerStatus = z.object({
  name: z.string(),
  transport: z.enum(["stdio", "http"]),
  source: z.object({ layer: z.enum(["user", "project", "conversation"]), files: z.array(z.string()) }),
  target: z.string().describe("`command args...` or the URL"),
  state: z.enum(["stopped", "starting", "running", "failed", "needs-approval", "disabled"]),
  loaded: z.boolean().describe("Its tools are offered to the model"),
  needsApproval: z.boolean().describe("Declared in the workspace's gptme.toml: starts only once the user approved it in this conversation"),
  approved: z.boolean(),
  tools: z.array(z.string()).describe("`server.tool` names"),
  error: z.string().optional().describe("Why the last start or call failed, with the server's last stderr lines"),
});

const McpOverview = z.object({
  enabled: z.boolean(),
  error: z.string().nullable().describe("A configuration error naming the file and key (MCP is then off)"),
  servers: z.array(McpServerStatus),
  tools: z.array(z.object({ name: z.string(), desc: z.string(), server: z.string(), server_state: z.string() }).loose()),
});

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
