/**
 * Real MCP servers for tests: the reference servers from npm (everything, filesystem) run with
 * this node, the small failing ones in `test/support/mcp/`, and the everything server over
 * Streamable HTTP in this process on a free port.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { McpServerConfig } from "../../runtime/mcp/config.js";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
const modules = join(root, "node_modules", "@modelcontextprotocol");
const support = join(root, "test", "support", "mcp");

export const everythingEntry = join(modules, "server-everything", "dist", "index.js");
export const filesystemEntry = join(modules, "server-filesystem", "dist", "index.js");

type ServerArgv = Pick<McpServerConfig, "command" | "args">;

export const mcpServers = {
  everything: (): ServerArgv => ({ command: process.execPath, args: [everythingEntry, "stdio"] }),
  filesystem: (directory: string): ServerArgv => ({ command: process.execPath, args: [filesystemEntry, directory] }),
  scripted: (): ServerArgv => ({ command: process.execPath, args: [join(support, "scripted-server.mjs")] }),
  exitsAtStart: (): ServerArgv => ({ command: process.execPath, args: [join(support, "exits-at-start.mjs")] }),
  hangsAtStart: (): ServerArgv => ({ command: join(support, "hangs-at-start.sh"), args: [] }),
};

/** A TOML `[[mcp.servers]]` entry (strings quoted as JSON, which TOML accepts for basic strings). */
export function serverToml(name: string, server: Partial<McpServerConfig>): string {
  const lines = ["[[mcp.servers]]", `name = ${JSON.stringify(name)}`];
  for (const [key, value] of Object.entries(server)) {
    if (Array.isArray(value)) lines.push(`${key} = [${value.map((item) => JSON.stringify(item)).join(", ")}]`);
    else if (typeof value === "object" && value !== null) {
      lines.push(`${key} = { ${Object.entries(value).map(([name, item]) => `${name} = ${JSON.stringify(item)}`).join(", ")} }`);
    } else lines.push(`${key} = ${JSON.stringify(value)}`);
  }
  return `${lines.join("\n")}\n`;
}

export interface HttpMcpServer {
  /** `http://127.0.0.1:<port>/mcp` */
  url: string;
  /** Headers of every request received, to check what the client sent. */
  requests: IncomingMessage["headers"][];
  close(): Promise<void>;
}

interface EverythingModule {
  createServer(): { server: { connect(transport: unknown): Promise<void>; close(): Promise<void> }; cleanup(sessionId?: string): void };
}

/** The everything server over Streamable HTTP, one MCP session per client, on a free port. */
export async function startEverythingHttpServer(): Promise<HttpMcpServer> {
  const everythingServer = join(modules, "server-everything", "dist", "server", "index.js");
  const { createServer: createEverything } = (await import(everythingServer)) as EverythingModule;
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; close: () => Promise<void> }>();
  const requests: IncomingMessage["headers"][] = [];
  const http = createServer(async (request, response) => {
    requests.push(request.headers);
    try {
      const body = request.method === "POST" ? JSON.parse((await readAll(request)) || "null") : undefined;
      const sessionId = request.headers["mcp-session-id"];
      const existing = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
      if (existing) return await existing.transport.handleRequest(request, response, body);
      if (request.method !== "POST" || sessionId) {
        response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "no such session" }));
        return;
      }
      const { server, cleanup } = createEverything();
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, {
            transport,
            close: async () => {
              await server.close().catch(() => undefined);
              cleanup(id);
            },
          });
        },
      });
      await server.connect(transport);
      await transport.handleRequest(request, response, body);
    } catch (error) {
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: String(error) }));
    }
  });
  await new Promise<void>((resolvePromise) => http.listen(0, "127.0.0.1", resolvePromise));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    requests,
    async close() {
      await Promise.all([...sessions.values()].map((session) => session.close()));
      http.closeAllConnections();
      await new Promise<void>((resolvePromise) => http.close(() => resolvePromise()));
    },
  };
}

function readAll(request: IncomingMessage): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (text += chunk));
    request.on("end", () => resolvePromise(text));
    request.on("error", reject);
  });
}
