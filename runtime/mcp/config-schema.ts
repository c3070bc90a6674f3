/**
 * gptme's `[mcp]` table and its `[[mcp.servers]]` entries, as zod schemas: one layer as written in
 * a file (every server key optional but `name`, since a `*.local.toml` entry may only add `env`),
 * and a server once its layers are merged (a command or an HTTP URL, never neither).
 */
import { z } from "zod";

/**
 * Server names become tool names (`<server>.<tool>`), fence languages and XML tags, so they are
 * limited to what all three can carry.
 */
export const SERVER_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const stringMap = z.record(
  z.string(),
  // TOML lets a user write `PORT = 3000`; a process environment and HTTP headers hold strings.
  z.union([z.string(), z.number(), z.boolean()]).transform((value) => String(value)),
);

export const serverEntrySchema = z.strictObject({
  name: z
    .string()
    .regex(SERVER_NAME_PATTERN, "must start with a letter or _ and hold only letters, digits, _ and - (it becomes part of tool names)"),
  enabled: z.boolean().optional(),
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  env: stringMap.optional(),
  url: z.string().optional(),
  headers: stringMap.optional(),
});

export type ServerEntry = z.output<typeof serverEntrySchema>;

/** The `[mcp]` table of one file, or a conversation's `config.mcp`; unknown keys are ignored, as gptme warns and goes on. */
export const mcpLayerSchema = z.object({
  enabled: z.boolean().optional(),
  auto_start: z.boolean().optional(),
  servers: z.array(serverEntrySchema).optional(),
});

export type McpLayer = z.output<typeof mcpLayerSchema>;

/** A server after its layers are merged, with gptme's defaults filled in. */
export interface McpServerConfig {
  name: string;
  enabled: boolean;
  command: string;
  args: string[];
  env: Record<string, string>;
  url: string;
  headers: Record<string, string>;
}

export type McpTransportKind = "stdio" | "http";

/** Fills gptme's defaults; returns the problem (naming the key) when the entry cannot start anything. */
export function completeServer(entry: ServerEntry): { server: McpServerConfig; transport: McpTransportKind } | { problem: string } {
  const server: McpServerConfig = {
    name: entry.name,
    enabled: entry.enabled ?? true,
    command: entry.command ?? "",
    args: entry.args ?? [],
    env: entry.env ?? {},
    url: entry.url ?? "",
    headers: entry.headers ?? {},
  };
  if (server.url) {
    if (!/^https?:\/\//i.test(server.url)) return { problem: `url: must start with http:// or https:// (got "${server.url}")` };
    try {
      new URL(server.url);
    } catch {
      return { problem: `url: not a valid URL ("${server.url}")` };
    }
    return { server, transport: "http" };
  }
  if (!server.command.trim()) return { problem: "needs `command` (a stdio server) or `url` (an HTTP server)" };
  return { server, transport: "stdio" };
}

/** `mcp.servers[2].args[0]: expected string`, for each issue of a failed parse. */
export function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.reduce<string>(
        (text, part) => (typeof part === "number" ? `${text}[${part}]` : `${text}.${String(part)}`),
        prefix,
      );
      return `${path}: ${issue.message}`;
    })
    .join("; ");
}
