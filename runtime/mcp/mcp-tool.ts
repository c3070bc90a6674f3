/**
 * gptme's `mcp` tool, for the servers of the conversation's config: `list`, `info <name>`,
 * `load <name>`, `unload <name>`. gptme's registry search and loading of unconfigured servers
 * are left out (nothing outside the user's config starts).
 */
import { z } from "zod";
import { defineTool } from "../tools/define-tool.js";
import type { ToolDefinition } from "../tools/tool.js";
import { describeSource } from "./config.js";
import type { McpManager, McpServerStatus } from "./manager.js";

const commands = [
  "list - the configured servers, their state and tools",
  "info <server> - one server's details",
  "load <server> - start a configured server and offer its tools",
  "unload <server> - stop a server and stop offering its tools",
];

export function createMcpTool(manager: McpManager): ToolDefinition {
  return defineTool({
    name: "mcp",
    description: "List, load and unload the MCP servers configured for this conversation",
    instructions: [
      "Use `list` to see the MCP servers, `load <server>` to start one that is not running, `unload <server>` to stop it.",
      "Do not call a loaded server's tools through this tool: call them directly as `<server>.<tool>`.",
      "Servers declared in the workspace's gptme.toml start only after the user approves them.",
    ].join("\n"),
    examples: [
      { role: "user", content: "Which MCP servers do we have?" },
      { role: "assistant", content: "Let me list them.", toolUse: { args: [], content: "list" } },
      { role: "user", content: "Start the sqlite server." },
      { role: "assistant", content: "", toolUse: { args: [], content: "load sqlite" } },
    ],
    blockTypes: ["mcp"],
    parameters: z.object({ command: z.string().describe("An MCP management command: list, info <server>, load <server>, unload <server>") }),
    isAvailable: () => true,
    fromBlock: (args, content) => ({ command: [args.join(" "), content].filter((part) => part.trim()).join("\n").trim() }),
    toBlock: (parameters) => ({ args: [], content: parameters.command }),
    async execute({ command }) {
      const [verb = "", name, ...rest] = command.trim().split(/\s+/);
      if (verb === "list" && name === undefined) return listText(manager);
      if (["info", "load", "unload"].includes(verb)) {
        if (!name || rest.length > 0) return `Usage: ${verb} <server>`;
        if (verb === "info") return infoText(manager, name);
        try {
          const status = verb === "load" ? await manager.load(name) : await manager.unload(name);
          return verb === "load"
            ? `Loaded MCP server "${name}" with ${status.tools.length} tools: ${status.tools.join(", ") || "(none)"}`
            : `Unloaded MCP server "${name}"; its tools are no longer offered.`;
        } catch (error) {
          return `Error: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      if (verb === "search") return "Error: searching MCP registries is not supported here; add a server to [[mcp.servers]] in ~/.config/gptme/config.toml instead.";
      return `Error: Unknown MCP command: ${command.trim() || "(empty)"}\n\nAvailable commands:\n${commands.map((line) => `  ${line}`).join("\n")}`;
    },
  }) as ToolDefinition;
}

function listText(manager: McpManager): string {
  if (manager.error) return `Error: ${manager.error}`;
  const statuses = manager.statuses();
  if (statuses.length === 0) return "No MCP servers configured.";
  const lines = ["# MCP servers", ""];
  for (const status of statuses) {
    lines.push(`- **${status.name}**: ${stateText(status)}${status.loaded ? `, ${status.tools.length} tools` : ""}`);
    lines.push(`  ${status.transport === "http" ? "URL" : "Command"}: \`${status.target}\``);
  }
  return lines.join("\n");
}

function infoText(manager: McpManager, name: string): string {
  const status = manager.statuses().find((candidate) => candidate.name === name);
  if (!status) return `Error: No MCP server named "${name}" is configured.`;
  const lines = [
    `# ${status.name}`,
    `**Type:** ${status.transport === "http" ? "HTTP" : "stdio"}`,
    `**State:** ${stateText(status)}`,
    `**Declared in:** ${describeSource(status.source)}`,
    `**${status.transport === "http" ? "URL" : "Command"}:** \`${status.target}\``,
  ];
  if (status.tools.length > 0) lines.push(`**Tools:** ${status.tools.join(", ")}`);
  if (status.error) lines.push("", status.error);
  return lines.join("\n");
}

export function stateText(status: McpServerStatus): string {
  if (status.state === "needs-approval") return "needs the user's approval";
  if (status.state === "stopped" && status.loaded) return "stopped (starts on the next call)";
  if (status.state === "stopped") return "not started";
  return status.state;
}
