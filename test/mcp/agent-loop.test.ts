/**
 * MCP tools through the agent loop (before the server is wired): the fake model, through the real
 * OpenAI and Anthropic SDKs, calls the everything server's tools in markdown, XML and native tool
 * format; what the model is offered and told, what is stored, what the user confirms.
 */
import { testSandboxManager } from "../support/sandboxes.js";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runAgentLoop } from "../../runtime/agent/loop.js";
import type { AgentEvent, LoopOutcome, PendingTool, ToolFormat } from "../../runtime/agent/types.js";
import { mcpLoopOptions } from "../../runtime/mcp/loop-hook.js";
import { McpManager } from "../../runtime/mcp/manager.js";
import { McpManagers } from "../../runtime/mcp/managers.js";
import { mcpToolDescriptors } from "../../runtime/mcp/tool-descriptors.js";
import { createModelRegistry } from "../../runtime/models/registry.js";
import type { ModelRegistry } from "../../runtime/models/model.js";
import type { Message } from "../../runtime/store/types.js";
import { createToolRegistry } from "../../runtime/tools/registry.js";
import { startFakeModelServer, type FakeModelServer, type FakeReply, type RecordedRequest } from "../support/fake-model-server.js";
import { mcpServers, serverToml } from "../support/mcp-servers.js";
import { MemoryStore } from "../agent/support/memory-store.js";

let server: FakeModelServer;
let registry: ModelRegistry;
let root: string;
let manager: McpManager;

beforeAll(async () => {
  server = await startFakeModelServer();
  registry = createModelRegistry({
    env: { OPENAI_BASE_URL: server.openaiBaseURL, ANTHROPIC_API_KEY: "test-key" },
    userConfigPath: null,
    baseURLs: { anthropic: server.anthropicBaseURL },
  });
  root = mkdtempSync(join(tmpdir(), "gptme-mcp-loop-"));
  mkdirSync(join(root, "workspace"));
  writeFileSync(
    join(root, "config.toml"),
    `[mcp]\nenabled = true\nauto_start = true\n\n${serverToml("everything", mcpServers.everything())}${serverToml("scripted", mcpServers.scripted())}`,
  );
  manager = new McpManager({ workspace: join(root, "workspace") });
});
afterAll(async () => {
  await manager.close();
  await server.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => server.reset());

interface Run {
  outcome: LoopOutcome;
  events: AgentEvent[];
  pending: PendingTool[];
  added: Message[];
  requests: RecordedRequest[];
}

const sandboxes = testSandboxManager("none");

async function run(modelId: string, toolFormat: ToolFormat, replies: FakeReply[]): Promise<Run> {
  server.enqueue(...replies);
  const store = new MemoryStore();
  const initial: Message[] = [
    { role: "system", content: "You are a test assistant.", timestamp: "2026-01-01T00:00:00.000Z", hide: true, pinned: true },
    { role: "user", content: "Use the MCP tools.", timestamp: "2026-01-01T00:00:01.000Z" },
  ];
  await store.create({ id: "mcp-loop", config: { chat: {}, env: {} }, workspace: join(root, "workspace"), messages: initial });
  const events: AgentEvent[] = [];
  const pending: PendingTool[] = [];
  const mcp = mcpLoopOptions({
    manager,
    base: createToolRegistry({ tools: ["save"] }),
    toolFormat,
    sources: () => ({ userConfigFile: join(root, "config.toml"), workspace: join(root, "workspace") }),
  });
  const outcome = await runAgentLoop({
    conversationId: "mcp-loop",
    store,
    model: registry.resolve(modelId),
    tools: mcp.tools,
    beforeTurn: mcp.beforeTurn,
    cost: registry.cost,
    toolFormat,
    workspace: join(root, "workspace"),
    dataDirectory: join(root, "data"),
    sandbox: () => sandboxes.forConversation("mcp-loop", join(root, "workspace")),
    signal: new AbortController().signal,
    confirm: async (tool) => {
      pending.push(tool);
      return { action: "confirm" };
    },
    emit: (event) => events.push(event),
  });
  return { outcome, events, pending, added: (await store.messages("mcp-loop")).slice(initial.length), requests: [...server.requests] };
}

const echoCall: Record<ToolFormat, FakeReply> = {
  markdown: { text: 'Echoing.\n```everything.echo\n{"message": "hello from mcp"}\n```\n' },
  xml: { text: 'Echoing.\n<tool-use>\n<everything.echo>\n{"message": "hello from mcp"}\n</everything.echo>\n</tool-use>' },
  tool: { text: "Echoing.", toolCalls: [{ id: "call_mcp_1", name: "everything__echo", arguments: { message: "hello from mcp" } }] },
};

/** The system text of a request, whichever SDK sent it. */
function systemText(request: RecordedRequest): string {
  const body = request.body;
  if (typeof body.system === "string") return body.system;
  if (Array.isArray(body.system)) return body.system.map((block: { text: string }) => block.text).join("\n");
  return body.messages.filter((message: { role: string }) => message.role === "system").map((message: { content: string }) => message.content).join("\n");
}

const models = [
  { name: "openai SDK", id: "local/fake" },
  { name: "anthropic SDK", id: "anthropic/claude-sonnet-4-6" },
];

describe.each(models)("MCP tools through the $name", ({ id }) => {
  it.each<ToolFormat>(["markdown", "xml", "tool"])("%s format: the model calls everything.echo and reads its answer", async (toolFormat) => {
    const result = await run(id, toolFormat, [echoCall[toolFormat], { text: "It echoed." }]);
    expect(result.outcome).toBe("done");

    // Asked for confirmation like any tool, with the arguments shown.
    expect(result.pending).toHaveLength(1);
    const written = toolFormat === "tool" ? '{\n  "message": "hello from mcp"\n}' : '{"message": "hello from mcp"}';
    expect(result.pending[0]!.wire).toEqual({ tool: "everything.echo", args: [], content: written });
    expect(result.pending[0]!.preview).toContain('"message": "hello from mcp"');

    const [call, output, final] = result.added;
    if (toolFormat === "tool") expect(call!.content).toBe('Echoing.\n@everything.echo(call_mcp_1): {"message":"hello from mcp"}');
    expect(output).toMatchObject({ role: "system", content: "Echo: hello from mcp" });
    expect(output!.call_id).toBe(toolFormat === "tool" ? "call_mcp_1" : undefined);
    expect(final!.content).toBe("It echoed.");

    // Told about the tools before the first reply: the schema in the prompt for block formats,
    // as a native function (dotted name mapped) for tool format.
    const [first, second] = result.requests;
    const system = systemText(first!);
    expect(system).toContain("# MCP tools");
    expect(system).toContain("## everything.echo");
    expect(system).toContain("[everything] Echoes back the input string");
    expect(system).toContain("## mcp\n\n**Description:** List, load and unload the MCP servers");
    const offered = (first!.body.tools ?? []) as Array<{ name?: string; function?: { name: string; parameters: unknown }; input_schema?: unknown }>;
    const offeredNames = offered.map((tool) => tool.function?.name ?? tool.name);
    if (toolFormat === "tool") {
      expect(offeredNames).toEqual(expect.arrayContaining(["save", "mcp", "everything__echo", "everything__get-sum"]));
      expect(offeredNames.every((name) => /^[a-zA-Z0-9_-]{1,64}$/.test(name!))).toBe(true);
      const echo = offered.find((tool) => (tool.function?.name ?? tool.name) === "everything__echo")!;
      expect(echo.function?.parameters ?? echo.input_schema).toMatchObject({
        type: "object",
        properties: { message: { type: "string", description: "Message to echo" } },
        required: ["message"],
      });
      expect(system).not.toContain("Parameters (JSON Schema)");
      // The call goes back to the provider under the name it was offered as.
      expect(JSON.stringify(second!.body)).toContain('"everything__echo"');
      expect(JSON.stringify(second!.body)).not.toContain('"everything.echo"');
    } else {
      expect(offered).toEqual([]);
      expect(system).toContain("**Parameters (JSON Schema):**");
      expect(system).toContain('"description": "Message to echo"');
      expect(system).toContain(toolFormat === "xml" ? "<everything.echo>" : "```everything.echo");
    }
    expect(JSON.stringify(second!.body)).toContain("Echo: hello from mcp");
  });
});

describe("MCP results and failures in the loop", () => {
  it("an image is saved and named in the output; an embedded resource is inlined", async () => {
    const result = await run("local/fake", "markdown", [
      { text: "```everything.get-tiny-image\n{}\n```\n" },
      { text: '```everything.get-resource-reference\n{"resourceType": "Text", "resourceId": 2}\n```\n' },
      { text: "Done." },
    ]);
    expect(result.outcome).toBe("done");
    const outputs = result.added.filter((message) => message.role === "system").map((message) => message.content);
    const image = /\[Image: image\/png, saved to (\S+\.png)\]/.exec(outputs[0]!);
    expect(image).not.toBeNull();
    expect(existsSync(image![1]!)).toBe(true);
    // Saved in the sandbox's output area (for the none backend its inside path is the host path).
    expect(image![1]!.startsWith(`${sandboxes.forConversation("mcp-loop", join(root, "workspace")).outputs.directory}/`)).toBe(true);
    expect(image![1]).toMatch(/\/mcp-\d{8}_\d{6}-[0-9a-f]{8}\.png$/);
    expect(outputs[1]).toMatch(/\[Resource: demo:\/\/resource\/dynamic\/text\/2\]\nResource 2: /);
  });

  it("XML <invoke> parameters arrive as strings and are typed from the schema", async () => {
    const result = await run("local/fake", "xml", [
      {
        text: '<function_calls>\n<invoke name="everything.get-sum">\n<parameter name="a">2</parameter>\n<parameter name="b">40</parameter>\n</invoke>\n</function_calls>',
      },
      { text: "42." },
    ]);
    expect(result.added[1]!.content).toContain("42");
  });

  it("a server that crashes gives the model an error naming it, and the conversation goes on", async () => {
    const result = await run("local/fake", "tool", [
      { toolCalls: [{ id: "call_crash", name: "scripted__crash", arguments: {} }] },
      { toolCalls: [{ id: "call_again", name: "scripted__whoami", arguments: {} }] },
      { text: "Recovered." },
    ]);
    expect(result.outcome).toBe("done");
    const [crashOutput, whoamiOutput] = result.added.filter((message) => message.role === "system");
    expect(crashOutput!.content).toMatch(/^Error: MCP server "scripted" stopped during the call to scripted\.crash \(it exited with code 7\)/);
    expect(crashOutput!.content).toContain("crash: giving up on purpose");
    expect(result.events.find((event) => event.type === "tool_complete")).toMatchObject({ success: false });
    expect(whoamiOutput!.content).toContain('"pid"');
  });

  it("bad arguments in a block are explained to the model with an example", async () => {
    const result = await run("local/fake", "markdown", [{ text: "```everything.echo\nmessage: hi\n```\n" }, { text: "Sorry." }]);
    expect(result.added[1]!.content).toContain("The content of a everything.echo block must be a JSON object with its arguments");
    expect(result.added[1]!.content).toContain('"message": "<string>"');
  });

  it("the mcp tool lists the servers", async () => {
    const result = await run("local/fake", "markdown", [{ text: "```mcp\nlist\n```\n" }, { text: "Listed." }]);
    const listed = result.added[1]!.content;
    expect(listed).toContain("- **everything**: running");
    expect(listed).toContain("- **scripted**: ");
  });
});

describe("for the server's wiring", () => {
  it("describes the MCP tools as GET /api/v2/tools lists tools, with their server and its state", () => {
    const echo = mcpToolDescriptors(manager).find((tool) => tool.name === "everything.echo");
    expect(echo).toEqual({
      name: "everything.echo",
      desc: "[everything] Echoes back the input string",
      instructions: expect.stringContaining("JSON object"),
      block_types: ["everything.echo"],
      is_mcp: true,
      is_available: true,
      disabled_by_default: false,
      parameters: [{ name: "message", type: "string", description: "Message to echo", required: true }],
      server: "everything",
      server_state: "running",
    });
  });

  it("keeps one manager per conversation and stops its servers when the conversation closes", async () => {
    const managers = new McpManagers((_id, workspace) => ({ workspace }));
    const first = await managers.forConversation("a", join(root, "workspace"));
    expect(await managers.forConversation("a", join(root, "workspace"))).toBe(first);
    await first.configure({
      enabled: true,
      autoStart: true,
      servers: [
        {
          config: { name: "scripted", enabled: true, ...mcpServers.scripted(), env: {}, url: "", headers: {} },
          transport: "stdio",
          source: { layer: "user", files: [] },
          needsApproval: false,
          fingerprint: "f",
        },
      ],
    });
    await first.autoStart();
    expect(first.statuses()[0]).toMatchObject({ state: "running" });
    const moved = await managers.forConversation("a", root);
    expect(moved).not.toBe(first);
    expect(first.statuses()[0]).toMatchObject({ state: "stopped" });
    await managers.close("a");
    expect(managers.get("a")).toBeUndefined();
    await managers.closeAll();
  });
});
