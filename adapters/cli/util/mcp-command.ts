/**
 * `gptme-util mcp list`: the configured servers, where each is declared and its state, without
 * starting any. `gptme-util mcp test NAME`: starts one, lists its tools, stops it; exit 1 with the
 * server's error (and its last stderr lines) when it cannot.
 */
import { describeSource, resolveMcpConfig, type McpConfigSources, type ResolvedMcpConfig } from "../../../runtime/mcp/config.js";
import { McpManager, timeoutsFromEnvironment } from "../../../runtime/mcp/manager.js";
import { targetOf } from "../../../runtime/mcp/status.js";
import { CliError, EXIT_ERROR, EXIT_SUCCESS } from "../exit.js";

type Print = (line: string) => void;

export function mcpListLines(sources: McpConfigSources): string[] {
  const config = resolveMcpConfig(sources);
  const lines = [
    config.enabled
      ? `MCP is enabled (auto_start = ${config.autoStart})`
      : "MCP is disabled: set `enabled = true` under [mcp] in ~/.config/gptme/config.toml to use these servers",
  ];
  if (config.servers.length === 0) return [...lines, "No MCP servers configured."];
  for (const server of config.servers) {
    const state = !server.config.enabled ? "disabled" : server.needsApproval ? "needs approval (declared by the workspace)" : "enabled";
    lines.push(`${server.config.name}  ${server.transport}  ${state}  ${describeSource(server.source)}`);
    lines.push(`  ${server.transport === "http" ? "url" : "command"}: ${targetOf(server)}`);
  }
  return lines;
}

export async function mcpTest(name: string, sources: McpConfigSources, print: Print, warn: Print, env: NodeJS.ProcessEnv): Promise<number> {
  const config = resolveMcpConfig(sources);
  const server = findServer(config, name);
  if (server.needsApproval) print(`"${name}" is declared by the workspace (${describeSource(server.source)}); testing it at your request.`);
  print(`Starting ${name} (${server.transport}): ${targetOf(server)}`);
  const manager = new McpManager({
    workspace: sources.workspace ?? process.cwd(),
    timeouts: { ...timeoutsFromEnvironment(env), idleMs: 0 },
    // Running this command is the user's approval.
    approve: async () => true,
  });
  try {
    await manager.configure({ ...config, enabled: true });
    const status = await manager.load(name);
    const tools = manager.tools();
    print(`Connected: ${status.tools.length} tools`);
    for (const { tool } of tools) print(`  ${name}.${tool.name}  ${(tool.description ?? "").split("\n")[0]}`);
    return EXIT_SUCCESS;
  } catch (error) {
    warn(`gptme-util: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_ERROR;
  } finally {
    await manager.close();
  }
}

function findServer(config: ResolvedMcpConfig, name: string) {
  const server = config.servers.find((candidate) => candidate.config.name === name);
  if (!server) {
    const known = config.servers.map((candidate) => candidate.config.name);
    throw new CliError(`No MCP server named "${name}" is configured${known.length ? ` (configured: ${known.join(", ")})` : " (add one under [[mcp.servers]] in ~/.config/gptme/config.toml)"}`);
  }
  if (!server.config.enabled) throw new CliError(`MCP server "${name}" is disabled in ${describeSource(server.source)} (enabled = false)`);
  return server;
}
