/**
 * `GET`/`QUERY /api/v2/tools` with MCP tools: the built-in catalogue, then the MCP tools this
 * server knows (`is_mcp: true`, plus their `server` and `server_state`). MCP servers belong to
 * conversations here, so the list holds the tools of servers some conversation has started;
 * `GET /api/v2/conversations/<id>/mcp` lists one conversation's servers, started or not.
 */
import { queryTools } from "../catalog/tool-query.js";
import type { ToolCatalog } from "../runtime.js";
import type { McpToolDescriptor } from "./tool-descriptors.js";

export function withMcpToolCatalog(catalog: ToolCatalog, mcpTools: () => McpToolDescriptor[]): ToolCatalog {
  const describe = () => {
    const builtIn = catalog.describe();
    const names = new Set(builtIn.map((tool) => tool.name));
    return [...builtIn, ...mcpTools().filter((tool) => !names.has(tool.name))];
  };
  return { describe, query: (query) => queryTools(describe(), query) };
}
