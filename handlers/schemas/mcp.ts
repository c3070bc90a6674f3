/** A conversation's MCP servers on the wire (`GET .../mcp`, the `mcp_server_status` event). */
import { z } from "zod";

export const McpServerStatus = z.object({
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

export const McpOverview = z.object({
  enabled: z.boolean(),
  error: z.string().nullable().describe("A configuration error naming the file and key (MCP is then off)"),
  servers: z.array(McpServerStatus),
  tools: z.array(z.object({ name: z.string(), desc: z.string(), server: z.string(), server_state: z.string() }).loose()),
});
