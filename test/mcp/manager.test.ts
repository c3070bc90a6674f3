/**
 * The MCP manager against real servers: the reference servers from npm over stdio and Streamable
 * HTTP, and small failing ones (exits at start, hangs, crashes mid-call). Timeouts are short only
 * where a server hangs on purpose, and the assertions are on the error, not on timing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveMcpConfig } from "../../runtime/mcp/config.js";
import { McpManager, type McpManagerOptions } from "../../runtime/mcp/manager.js";
import { spawnDirectly, type ProcessSpawner } from "../../runtime/mcp/process-spawner.js";
import { McpServerError } from "../../runtime/mcp/errors.js";
import { mcpServers, serverToml, startEverythingHttpServer, type HttpMcpServer } from "../support/mcp-servers.js";

let root: string;
let workspace: string;
let userConfigFile: string;
const managers: McpManager[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "gptme-mcp-manager-"));
  workspace = join(root, "workspace");
  mkdirSync(workspace);
  mkdirSync(join(root, "config"));
  userConfigFile = join(root, "config", "config.toml");
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.close()));
  rmSync(root, { recursive: true, force: true });
});

function userConfig(text: string, autoStart = true): void {
  writeFileSync(userConfigFile, `[mcp]\nenabled = true\nauto_start = ${autoStart}\n\n${text}`);
}

async function manager(options: Partial<McpManagerOptions> = {}): Promise<McpManager> {
  const created = new McpManager({ workspace, ...options });
  managers.push(created);
  await created.configure(resolveMcpConfig({ userConfigFile, workspace }));
  return created;
}

const text = (result: { content: Array<{ type: string; text?: string }> }) =>
  result.content.map((item) => (item.type === "text" ? item.text : `[${item.type}]`)).join("\n");

describe("servers over stdio", () => {
  it("starts the everything server before the first turn and calls its tools", async () => {
    userConfig(serverToml("everything", mcpServers.everything()));
    const mcp = await manager();
    expect(mcp.statuses()[0]).toMatchObject({ name: "everything", state: "stopped", loaded: false });
    await mcp.autoStart();
    const [status] = mcp.statuses();
    expect(status).toMatchObject({ name: "everything", state: "running", loaded: true, transport: "stdio" });
    expect(status!.tools).toEqual(expect.arrayContaining(["everything.echo", "everything.get-sum", "everything.get-tiny-image"]));
    expect(text(await mcp.callTool("everything", "echo", { message: "hello" }))).toBe("Echo: hello");
    expect(text(await mcp.callTool("everything", "get-sum", { a: 2, b: 3 }))).toContain("5");
  });

  it("lists and reads files through the filesystem server, confined to its directory", async () => {
    const shared = join(root, "shared");
    mkdirSync(shared);
    writeFileSync(join(shared, "notes.txt"), "remember the milk\n");
    userConfig(serverToml("files", mcpServers.filesystem(shared)));
    const mcp = await manager();
    await mcp.autoStart();
    expect(text(await mcp.callTool("files", "list_directory", { path: shared }))).toContain("[FILE] notes.txt");
    expect(text(await mcp.callTool("files", "read_text_file", { path: join(shared, "notes.txt") }))).toContain("remember the milk");
    const outside = await mcp.callTool("files", "read_text_file", { path: userConfigFile });
    expect(outside.isError).toBe(true);
    expect(text(outside)).toMatch(/Access denied|outside allowed/);
  });

  it("does not start anything with auto_start = false until `load`; `unload` stops offering its tools", async () => {
    userConfig(serverToml("everything", mcpServers.everything()), false);
    const mcp = await manager();
    await mcp.autoStart();
    expect(mcp.statuses()[0]).toMatchObject({ state: "stopped", loaded: false });
    expect(mcp.tools()).toEqual([]);
    await expect(mcp.callTool("everything", "echo", { message: "x" })).rejects.toThrow(/not loaded/);
    const loaded = await mcp.load("everything");
    expect(loaded).toMatchObject({ state: "running", loaded: true });
    expect(mcp.tools().map((entry) => entry.tool.name)).toContain("echo");
    await mcp.unload("everything");
    expect(mcp.statuses()[0]).toMatchObject({ state: "stopped", loaded: false });
    expect(mcp.tools()).toEqual([]);
    await expect(mcp.load("nope")).rejects.toThrow('No MCP server named "nope" is configured (configured: everything)');
  });

  it("gives a server only the allowlisted environment, its own env, and the workspace as cwd", async () => {
    userConfig(serverToml("scripted", { ...mcpServers.scripted(), env: { SERVER_SETTING: "on" } }));
    const hostEnvironment = {
      PATH: process.env.PATH,
      HOME: "/home/someone",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      OPENAI_API_KEY: "sk-secret-of-the-server",
      GPTME_SERVER_TOKEN: "server-token",
      AWS_SECRET_ACCESS_KEY: "aws-secret",
    };
    const mcp = await manager({ hostEnvironment });
    await mcp.autoStart();
    const reported = JSON.parse(text(await mcp.callTool("scripted", "whoami", {}))) as { cwd: string; env: Record<string, string> };
    expect(reported.cwd).toBe(workspace);
    expect(reported.env).toMatchObject({ HOME: "/home/someone", LANG: "C.UTF-8", LC_ALL: "C.UTF-8", SERVER_SETTING: "on" });
    expect(Object.keys(reported.env)).not.toContain("OPENAI_API_KEY");
    expect(Object.keys(reported.env)).not.toContain("GPTME_SERVER_TOKEN");
    expect(JSON.stringify(reported.env)).not.toMatch(/secret|server-token/);
  });

  it("starts stdio servers through the injected spawner (the sandbox's shape)", async () => {
    userConfig(serverToml("scripted", mcpServers.scripted()));
    const spawned: Array<{ argv: string[]; cwd: string; env: Record<string, string> }> = [];
    const spawner: ProcessSpawner = (argv, options) => {
      spawned.push({ argv, ...options });
      return spawnDirectly(argv, options);
    };
    const mcp = await manager({ spawner });
    await mcp.autoStart();
    expect(spawned).toHaveLength(1);
    expect(spawned[0]!.argv).toEqual([mcpServers.scripted().command, ...mcpServers.scripted().args]);
    expect(spawned[0]!.cwd).toBe(workspace);
  });
});

describe("failures name the server and show its last stderr lines; the next call starts it again", () => {
  it("a server that exits at start", async () => {
    userConfig(serverToml("broken", mcpServers.exitsAtStart()) + serverToml("everything", mcpServers.everything()));
    const mcp = await manager();
    await mcp.autoStart();
    const [broken, everything] = mcp.statuses();
    expect(everything).toMatchObject({ state: "running" });
    expect(broken).toMatchObject({ name: "broken", state: "failed", loaded: false });
    expect(broken!.error).toContain('MCP server "broken" failed to start: it exited with code 3 before answering');
    expect(broken!.error).toContain("fatal: cannot open /nonexistent/settings.json");
    await expect(mcp.load("broken")).rejects.toThrow(/exited with code 3[\s\S]*fatal: cannot open/);
  });

  it("a command that does not exist", async () => {
    userConfig(serverToml("missing", { command: join(root, "no-such-program") }));
    const mcp = await manager();
    await mcp.autoStart();
    expect(mcp.statuses()[0]!.error).toMatch(/MCP server "missing" failed to start: could not run it: .*ENOENT/);
  });

  it("a server that hangs at start", async () => {
    userConfig(serverToml("stuck", mcpServers.hangsAtStart()));
    const mcp = await manager({ timeouts: { startMs: 2000 } });
    await mcp.autoStart();
    const [status] = mcp.statuses();
    expect(status).toMatchObject({ state: "failed", loaded: false });
    expect(status!.error).toContain('MCP server "stuck" did not start within 2 s');
    expect(status!.error).toContain("waiting for a licence server that never answers");
  });

  it("a server that crashes during a call", async () => {
    userConfig(serverToml("scripted", mcpServers.scripted()));
    const mcp = await manager();
    await mcp.autoStart();
    const before = JSON.parse(text(await mcp.callTool("scripted", "whoami", {}))) as { pid: number };
    const failure = await mcp.callTool("scripted", "crash", { code: 9 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(McpServerError);
    expect((failure as Error).message).toContain('MCP server "scripted" stopped during the call to scripted.crash (it exited with code 9)');
    expect((failure as Error).message).toContain("crash: giving up on purpose (exit 9)");
    expect(mcp.statuses()[0]).toMatchObject({ state: "failed", loaded: true });
    const after = JSON.parse(text(await mcp.callTool("scripted", "whoami", {}))) as { pid: number };
    expect(after.pid).not.toBe(before.pid);
    expect(mcp.statuses()[0]).toMatchObject({ state: "running" });
  });

  it("a server that hangs during a call is stopped, and the next call gets a fresh one", async () => {
    userConfig(serverToml("scripted", mcpServers.scripted()));
    const mcp = await manager({ timeouts: { callMs: 500 } });
    await mcp.autoStart();
    const before = JSON.parse(text(await mcp.callTool("scripted", "whoami", {}))) as { pid: number };
    const failure = await mcp.callTool("scripted", "hang", {}).catch((error: unknown) => error);
    expect((failure as Error).message).toContain('MCP server "scripted" did not answer scripted.hang within 0.5 s; it was stopped');
    expect((failure as Error).message).toContain("hang: stuck on a lock");
    const after = JSON.parse(text(await mcp.callTool("scripted", "whoami", {}))) as { pid: number };
    expect(after.pid).not.toBe(before.pid);
  });

  it("a tool error is the tool's answer, not a server failure", async () => {
    userConfig(serverToml("scripted", mcpServers.scripted()));
    const mcp = await manager();
    await mcp.autoStart();
    const result = await mcp.callTool("scripted", "fail", { reason: "no disk" });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe("cannot do that: no disk");
    expect(mcp.statuses()[0]).toMatchObject({ state: "running" });
  });

  it("a server stopped when idle keeps its tools offered and starts again on the next call", async () => {
    userConfig(serverToml("scripted", mcpServers.scripted()));
    const mcp = await manager();
    await mcp.autoStart();
    await mcp.stopIdle();
    expect(mcp.statuses()[0]).toMatchObject({ state: "stopped", loaded: true });
    expect(mcp.tools().map((entry) => entry.tool.name)).toContain("whoami");
    expect(text(await mcp.callTool("scripted", "whoami", {}))).toContain('"pid"');
  });
});

describe("servers a workspace declares", () => {
  const projectServer = (args: string[] = []) => {
    const { command, args: base } = mcpServers.scripted();
    writeFileSync(join(workspace, "gptme.toml"), serverToml("workspace-tool", { command, args: [...base, ...args] }));
  };

  it("never start without an approval, even with auto_start", async () => {
    userConfig("");
    projectServer();
    const mcp = await manager();
    await mcp.autoStart();
    expect(mcp.statuses()[0]).toMatchObject({ name: "workspace-tool", state: "needs-approval", needsApproval: true, loaded: false });
    await expect(mcp.load("workspace-tool")).rejects.toThrow(/declared in .*gptme\.toml and needs your approval/);
    expect(mcp.statuses()[0]).toMatchObject({ state: "needs-approval", loaded: false });
  });

  it("start once approved, are asked for once, and need a new approval when what they run changes", async () => {
    userConfig("");
    projectServer();
    const asked: string[] = [];
    let answer = true;
    const mcp = await manager({
      approve: async (request) => {
        asked.push(`${request.server}: ${request.target}`);
        return answer;
      },
    });
    await mcp.autoStart();
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain("scripted-server.mjs");
    expect(mcp.statuses()[0]).toMatchObject({ state: "running", approved: true });
    await mcp.autoStart();
    expect(asked).toHaveLength(1);

    // The agent rewrites the file: the running server stops, and the new command is asked about.
    projectServer(["--evil"]);
    answer = false;
    await mcp.configure(resolveMcpConfig({ userConfigFile, workspace }));
    expect(mcp.statuses()[0]).toMatchObject({ state: "needs-approval", approved: false, loaded: false });
    await mcp.autoStart();
    expect(asked).toHaveLength(2);
    expect(asked[1]).toContain("--evil");
    expect(mcp.statuses()[0]).toMatchObject({ state: "needs-approval", loaded: false });
    // A declined server is not asked about again at every turn.
    await mcp.autoStart();
    expect(asked).toHaveLength(2);
  });
});

describe("Streamable HTTP", () => {
  let http: HttpMcpServer;
  beforeAll(async () => {
    http = await startEverythingHttpServer();
  });
  afterAll(async () => {
    await http.close();
  });

  it("calls the everything server over HTTP with the configured headers", async () => {
    userConfig(serverToml("remote", { url: http.url, headers: { Authorization: "Bearer test-token" } }));
    const mcp = await manager();
    await mcp.autoStart();
    expect(mcp.statuses()[0]).toMatchObject({ state: "running", transport: "http" });
    expect(text(await mcp.callTool("remote", "echo", { message: "over http" }))).toBe("Echo: over http");
    expect(http.requests.some((headers) => headers.authorization === "Bearer test-token")).toBe(true);
  });

  it("reports an HTTP server that is not there", async () => {
    userConfig(serverToml("gone", { url: "http://127.0.0.1:9/mcp" }));
    const mcp = await manager();
    await mcp.autoStart();
    expect(mcp.statuses()[0]!.error).toMatch(/MCP server "gone" failed to start: /);
  });
});

describe("elicitation", () => {
  it("asks the user a server's question and sends back the typed answers", async () => {
    userConfig(serverToml("everything", mcpServers.everything()));
    const questions: unknown[] = [];
    const mcp = await manager({
      ask: async (request) => {
        questions.push(request);
        return { action: "accept", values: { name: "Ada", check: "yes", integer: "7" } };
      },
    });
    await mcp.autoStart();
    const result = text(await mcp.callTool("everything", "trigger-elicitation-request", {}));
    expect(questions).toHaveLength(1);
    expect(questions[0]).toMatchObject({ prompt: "MCP Server 'everything': Please provide inputs for the following fields:", type: "form" });
    expect(result).toContain("Ada");
    expect(result).toMatch(/"check": true/);
  });

  it("declines for the user when nobody can be asked (the capability is not offered)", async () => {
    userConfig(serverToml("everything", mcpServers.everything()));
    const mcp = await manager();
    await mcp.autoStart();
    expect(mcp.statuses()[0]!.tools).not.toContain("everything.trigger-elicitation-request");
  });
});
