/**
 * MCP in the CLI, end to end: `gptme -n` with the user's `[mcp]` config calling real MCP servers
 * (stdio and Streamable HTTP) in markdown, XML and native tool format; servers that fail; the
 * workspace approval rule; and `gptme-util mcp list|test`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer, type RecordedRequest } from "../support/fake-model-server.js";
import { mcpServers, serverToml, startEverythingHttpServer, type HttpMcpServer } from "../support/mcp-servers.js";
import { LOCAL_BACKENDS } from "../support/sandboxes.js";
import { createCliHome, runCli, type CliHome } from "./support/cli-process.js";

let server: FakeModelServer;
let home: CliHome;

beforeAll(async () => {
  server = await startFakeModelServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
  home = createCliHome({ OPENAI_BASE_URL: server.openaiBaseURL });
});
afterEach(() => home.cleanup());

const userConfigFile = () => join(home.home, ".config", "gptme", "config.toml");

function userConfig(servers: string, mcp = "enabled = true\nauto_start = true"): void {
  mkdirSync(join(home.home, ".config", "gptme"), { recursive: true });
  writeFileSync(userConfigFile(), `[mcp]\n${mcp}\n\n${servers}`);
}

const gptme = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCli("gptme", ["-n", "-m", "local/fake", ...args], { env: { ...home.env, ...env }, cwd: home.workspace, timeoutMs: 60_000 });
const util = (args: string[]) => runCli("gptme-util", args, { env: home.env, cwd: home.workspace, timeoutMs: 60_000 });

function promptOf(request: RecordedRequest): string {
  return (request.body.messages as Array<{ role: string; content: string }>).filter((message) => message.role === "system").map((message) => message.content).join("\n");
}

describe("gptme -n with MCP servers from the user's config", () => {
  const calls = {
    markdown: { text: 'Echoing.\n```everything.echo\n{"message": "from the terminal"}\n```\n' },
    xml: { text: '<tool-use>\n<everything.echo>\n{"message": "from the terminal"}\n</everything.echo>\n</tool-use>' },
    tool: { toolCalls: [{ name: "everything__echo", arguments: { message: "from the terminal" } }] },
  };

  for (const format of ["markdown", "xml", "tool"] as const) {
    it(`calls everything.echo in ${format} format`, async () => {
      userConfig(serverToml("everything", mcpServers.everything()));
      server.enqueue(calls[format], { text: "The server echoed it." }, { text: "Echo test" });
      const result = await gptme(["--tool-format", format, "echo something through MCP"]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("System: Echo: from the terminal");
      expect(result.stdout).toContain("Assistant: The server echoed it.");
      const [first] = server.requests;
      expect(promptOf(first!)).toContain("## everything.echo");
      if (format === "tool") {
        const names = (first!.body.tools as Array<{ function: { name: string } }>).map((tool) => tool.function.name);
        expect(names).toContain("everything__echo");
      }
    });
  }

  it.runIf(LOCAL_BACKENDS.includes("bwrap"))("with --sandbox bwrap the stdio server runs in the sandbox: its own PID namespace, no provider key", async () => {
    const repository = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
    mkdirSync(join(home.home, ".config", "gptme"), { recursive: true });
    writeFileSync(
      userConfigFile(),
      `[sandbox]\nread_only = [${JSON.stringify(join(repository, "node_modules"))}, ${JSON.stringify(join(repository, "test", "support", "mcp"))}]\n\n` +
        `[mcp]\nenabled = true\nauto_start = true\n\n${serverToml("scripted", mcpServers.scripted())}`,
    );
    server.enqueue({ text: "```scripted.whoami\n{}\n```\n" }, { text: "Seen." }, { text: "Where" });
    const result = await gptme(["--sandbox", "bwrap", "where do you run?"], { OPENAI_API_KEY: "sk-cli-secret" });
    expect(result.code).toBe(0);
    const seen = JSON.parse(/System: (\{.*\})/.exec(result.stdout)![1]!) as { pid: number; cwd: string; env: Record<string, string> };
    expect(seen.cwd).toBe(home.workspace);
    expect(seen.pid).toBeLessThan(100);
    expect(seen.env.OPENAI_API_KEY).toBeUndefined();
  });

  it("reads a file through the filesystem server", async () => {
    const shared = join(home.root, "shared");
    mkdirSync(shared);
    writeFileSync(join(shared, "todo.txt"), "water the plants\n");
    userConfig(serverToml("files", mcpServers.filesystem(shared)));
    server.enqueue({ text: `\`\`\`files.read_text_file\n${JSON.stringify({ path: join(shared, "todo.txt") })}\n\`\`\`\n` }, { text: "Read it." }, { text: "Todo" });
    const result = await gptme(["what is in todo.txt?"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("water the plants");
  });

  it("calls a server over Streamable HTTP", async () => {
    const http: HttpMcpServer = await startEverythingHttpServer();
    try {
      userConfig(serverToml("remote", { url: http.url }));
      server.enqueue({ text: '```remote.get-sum\n{"a": 19, "b": 23}\n```\n' }, { text: "Summed." }, { text: "Sum" });
      const result = await gptme(["add 19 and 23"]);
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/System: .*42/);
    } finally {
      await http.close();
    }
  });

  it("a server that exits at start: a note naming it with its stderr, and the chat goes on", async () => {
    userConfig(serverToml("broken", mcpServers.exitsAtStart()));
    server.enqueue({ text: "Answering without it." }, { text: "Title" });
    const result = await gptme(["hello"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('MCP server "broken" failed to start: it exited with code 3 before answering');
    expect(result.stderr).toContain("fatal: cannot open /nonexistent/settings.json");
    expect(result.stdout).toContain("Assistant: Answering without it.");
    expect(promptOf(server.requests[0]!)).toMatch(/- broken: failed: MCP server "broken" failed to start/);
  });

  it("a tool that hangs: the model gets an error naming the server with its stderr (GPTME_MCP_CALL_TIMEOUT)", async () => {
    userConfig(serverToml("scripted", mcpServers.scripted()));
    server.enqueue({ text: "```scripted.hang\n{}\n```\n" }, { text: "It hung." }, { text: "Hang" });
    const result = await gptme(["try the hanging tool"], { GPTME_MCP_CALL_TIMEOUT: "0.5" });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Error: MCP server "scripted" did not answer scripted.hang within 0.5 s; it was stopped');
    expect(result.stdout).toContain("hang: stuck on a lock");
    expect(result.stdout).toContain("Assistant: It hung.");
  });

  it("a server the workspace declares is not started without approval (-n cannot ask)", async () => {
    userConfig("");
    writeFileSync(join(home.workspace, "gptme.toml"), serverToml("planted", mcpServers.scripted()));
    server.enqueue({ text: "```planted.whoami\n{}\n```\n" }, { text: "Not available." }, { text: "Planted" });
    const result = await gptme(["use the workspace server"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`MCP server "planted" (declared in ${join(home.workspace, "gptme.toml")}) was not started: it needs your approval`);
    expect(result.stdout).not.toContain('"pid"');
    expect(promptOf(server.requests[0]!)).toContain("- planted: needs the user's approval");
    expect(promptOf(server.requests[0]!)).not.toContain("## planted.whoami");
  });

  it("a bad config turns MCP off with an error naming the file and key; the chat goes on", async () => {
    userConfig(`[[mcp.servers]]\nname = "bad"\ncommand = ["not", "a", "string"]\n`);
    server.enqueue({ text: "Fine without MCP." }, { text: "Bad config" });
    const result = await gptme(["hello"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`MCP is off: ${userConfigFile()}: mcp.servers[0].command: `);
    expect(result.stdout).toContain("Assistant: Fine without MCP.");
  });
});

describe("gptme-util mcp", () => {
  it("list: each server with its transport, state and the file declaring it, starting none", async () => {
    userConfig(serverToml("everything", mcpServers.everything()) + serverToml("off", { ...mcpServers.scripted(), enabled: false }), "enabled = true");
    writeFileSync(join(home.workspace, "gptme.toml"), serverToml("planted", mcpServers.scripted()));
    const result = await util(["mcp", "list"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe("MCP is enabled (auto_start = false)");
    expect(result.stdout).toContain(`planted  stdio  needs approval (declared by the workspace)  ${join(home.workspace, "gptme.toml")}`);
    expect(result.stdout).toContain(`everything  stdio  enabled  ${userConfigFile()}`);
    expect(result.stdout).toContain(`off  stdio  disabled  ${userConfigFile()}`);
    expect(result.stdout).toContain(`  command: ${process.execPath} ${mcpServers.everything().args.join(" ")}`);
  });

  it("list: a bad config is one line naming the file and key, exit 1", async () => {
    userConfig(`[[mcp.servers]]\nname = "x"\nurl = "ftp://example.com"\n`);
    const result = await util(["mcp", "list"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`gptme-util: ${userConfigFile()}: mcp.servers[0] ("x"): url: must start with http:// or https:// (got "ftp://example.com")\n`);
  });

  it("test: starts a server, lists its tools, stops it", async () => {
    userConfig(serverToml("everything", mcpServers.everything()), "enabled = true");
    const result = await util(["mcp", "test", "everything"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Connected: \d+ tools/);
    expect(result.stdout).toContain("  everything.echo  Echoes back the input string");
  });

  it("test: a server that cannot start is an error with its stderr, exit 1", async () => {
    userConfig(serverToml("broken", mcpServers.exitsAtStart()), "enabled = true");
    const result = await util(["mcp", "test", "broken"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('gptme-util: MCP server "broken" failed to start: it exited with code 3 before answering');
    expect(result.stderr).toContain("fatal: cannot open /nonexistent/settings.json");
  });

  it("test: an unknown server is an error, exit 1", async () => {
    userConfig(serverToml("everything", mcpServers.everything()));
    const result = await util(["mcp", "test", "nope"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('gptme-util: No MCP server named "nope" is configured (configured: everything)\n');
  });
});
