#!/usr/bin/env node
/**
 * A small stdio MCP server (the SDK's own server) for failure paths the reference servers do not
 * have: `crash` exits during the call, `hang` never answers, `whoami` reports the process (to see
 * a restart) and its environment.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "scripted", version: "1.0.0" });

server.registerTool("whoami", { description: "The server's pid, working directory and environment variable names", inputSchema: {} }, async () => ({
  content: [{ type: "text", text: JSON.stringify({ pid: process.pid, cwd: process.cwd(), env: process.env }) }],
}));

server.registerTool("crash", { description: "Exits the server in the middle of the call", inputSchema: { code: z.number().optional() } }, async ({ code }) => {
  process.stderr.write(`crash: giving up on purpose (exit ${code ?? 7})\n`);
  process.exit(code ?? 7);
});

server.registerTool("hang", { description: "Never answers", inputSchema: {} }, async () => {
  process.stderr.write("hang: stuck on a lock\n");
  return new Promise(() => undefined);
});

server.registerTool("fail", { description: "Answers with a tool error", inputSchema: { reason: z.string() } }, async ({ reason }) => ({
  isError: true,
  content: [{ type: "text", text: `cannot do that: ${reason}` }],
}));

process.stderr.write(`scripted server ${process.pid} starting\n`);
await server.connect(new StdioServerTransport());
