/**
 * MCP through the server's HTTP API: the fake model calls real MCP servers' tools (the reference
 * everything server over stdio, in the conversation's sandbox, and over Streamable HTTP), a server
 * that crashes or never starts gives a named error with its stderr and the next call restarts it,
 * servers declared by the workspace's gptme.toml wait for the user (also when the model wrote that
 * file itself), and deleting a conversation stops its servers.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer, type FakeReply } from "../support/fake-model-server.js";
import { mcpServers, serverToml, startEverythingHttpServer, type HttpMcpServer } from "../support/mcp-servers.js";
import { LOCAL_BACKENDS } from "../support/sandboxes.js";
import { SseReader, type SseFrame } from "../support/sse-client.js";
import { createModelBackedServer, type TestServer } from "../support/test-runtime.js";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
/** The servers' code must be readable inside the sandbox, as an installed package's would be. */
const sandboxReadOnly = `[sandbox]\nread_only = [${JSON.stringify(join(root, "node_modules"))}, ${JSON.stringify(join(root, "test", "support", "mcp"))}]\n\n`;
const backend = LOCAL_BACKENDS.includes("bwrap") ? "bwrap" : "none";
const slow = 60_000;

let model: FakeModelServer;
let http: HttpMcpServer;
let directory: string;
const servers: TestServer[] = [];
const readers: SseReader[] = [];

beforeAll(async () => {
  model = await startFakeModelServer();
  http = await startEverythingHttpServer();
  directory = mkdtempSync(join(tmpdir(), "gptme-mcp-server-"));
});
afterAll(async () => {
  await http.close();
  await model.close();
  rmSync(directory, { recursive: true, force: true });
});
afterEach(async () => {
  while (readers.length) await readers.pop()!.close();
  while (servers.length) await servers.pop()!.close();
  model.reset();
});

/** A server whose user config holds `mcpToml` (after `[mcp]` enabled and auto_start). */
function start(mcpToml: string, options: { autoStart?: boolean; callMs?: number; sessionIdleLimitMs?: number } = {}): TestServer {
  const config = join(mkdtempSync(join(directory, "config-")), "config.toml");
  writeFileSync(config, `${sandboxReadOnly}[mcp]\nenabled = true\nauto_start = ${options.autoStart ?? true}\n\n${mcpToml}`);
  const server = createModelBackedServer(model.openaiBaseURL, {
    userConfigPath: config,
    sandbox: { backend },
    mcpTimeouts: options.callMs ? { callMs: options.callMs } : undefined,
    sessionIdleLimitMs: options.sessionIdleLimitMs,
  });
  servers.push(server);
  return server;
}

interface Chat {
  id: string;
  sessionId: string;
  reader: SseReader;
  /** Posts a user message, queues the model's replies and steps (auto-confirming tools unless told). */
  step(replies: FakeReply[], options?: { autoConfirm?: boolean }): Promise<void>;
  /** The stored log's messages. */
  log(): Promise<Array<{ role: string; content: string }>>;
}

async function open(server: TestServer, id: string, config: Record<string, unknown> = {}): Promise<Chat> {
  const created = await server.call(`/api/v2/conversations/${id}`, { method: "PUT", json: { config, messages: [] } });
  expect(created.status).toBe(200);
  const sessionId = (await created.json()).session_id as string;
  const events = await server.call(`/api/v2/conversations/${id}/events?session_id=${sessionId}`);
  const reader = new SseReader(events);
  readers.push(reader);
  await reader.nextType("connected");
  return {
    id,
    sessionId,
    reader,
    async step(replies, options = {}) {
      await server.call(`/api/v2/conversations/${id}`, { method: "POST", json: { role: "user", content: "go" } });
      model.enqueue(...replies);
      const response = await server.call(`/api/v2/conversations/${id}/step`, {
        method: "POST",
        json: { session_id: sessionId, auto_confirm: options.autoConfirm ?? true },
      });
      expect(response.status).toBe(200);
    },
    async log() {
      return (await (await server.call(`/api/v2/conversations/${id}`)).json()).log;
    },
  };
}

interface EventData {
  type?: string;
  tool_id?: string;
  message?: { role: string; content: string };
  tooluse?: { tool: string; args: string[]; content: string };
}
const dataOf = (frame: SseFrame) => frame.data as EventData;

const finished = (chat: Chat, text: string) =>
  chat.reader.next((frame) => dataOf(frame).type === "message_added" && dataOf(frame).message?.role === "assistant" && dataOf(frame).message?.content === text, slow);

/** The approval a workspace server waits for, as a pending `mcp` tool. */
const approvalAsked = async (chat: Chat) =>
  dataOf(await chat.reader.next((frame) => dataOf(frame).type === "tool_pending" && dataOf(frame).tooluse?.tool === "mcp", slow));

/** The tool outputs (system messages) after the last user message. */
async function outputs(chat: Chat): Promise<string[]> {
  const log = await chat.log();
  const lastUser = log.map((message) => message.role).lastIndexOf("user");
  return log.slice(lastUser + 1).filter((message) => message.role === "system").map((message) => message.content);
}

describe(`MCP tools in a server conversation (stdio servers in the ${backend} sandbox)`, { timeout: 120_000 }, () => {
  it("the model calls a stdio server's tool and an HTTP server's tool and reads their results", async () => {
    const server = start(serverToml("everything", mcpServers.everything()) + serverToml("remote", { url: http.url }));
    const chat = await open(server, "mcp-call");
    await chat.step([
      { text: '```everything.echo\n{"message": "hello through the sandbox"}\n```\n' },
      { text: "Calling it natively.", toolCalls: [{ id: "call_remote", name: "remote__get-sum", arguments: { a: 2, b: 40 } }] },
      { text: "Both answered." },
    ]);
    await finished(chat, "Both answered.");
    const [echo, sum] = await outputs(chat);
    expect(echo).toBe("Echo: hello through the sandbox");
    expect(sum).toContain("42");
    // The model was told about both servers' tools before its first reply.
    const system = JSON.stringify(model.requests[0]!.body);
    expect(system).toContain("everything.echo");
    expect(system).toContain("remote.get-sum");

    const overview = await (await server.call("/api/v2/conversations/mcp-call/mcp")).json();
    expect(overview.enabled).toBe(true);
    expect(overview.servers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "everything", transport: "stdio", state: "running", loaded: true }),
        expect.objectContaining({ name: "remote", transport: "http", state: "running", target: http.url }),
      ]),
    );
    expect(overview.tools).toEqual(expect.arrayContaining([expect.objectContaining({ name: "everything.echo", server: "everything", server_state: "running", is_mcp: true })]));

    // GET /api/v2/tools lists them with their server and its state; QUERY filters on is_mcp.
    const listed = (await (await server.call("/api/v2/tools")).json()).tools as Array<Record<string, unknown>>;
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "shell", is_mcp: false }),
        expect.objectContaining({ name: "everything.echo", is_mcp: true, server: "everything", server_state: "running", is_available: true }),
        expect.objectContaining({ name: "remote.get-sum", is_mcp: true, server: "remote", server_state: "running" }),
      ]),
    );
    const queried = await server.call("/api/v2/tools", { method: "QUERY", json: { filters: [{ field: "is_mcp", op: "eq", value: true }], fields: ["name"] } });
    const names = ((await queried.json()).tools as Array<{ name: string }>).map((tool) => tool.name);
    expect(names).toContain("everything.echo");
    expect(names).not.toContain("shell");
  });

  it("the stdio server runs in the conversation's sandbox: the workspace as its working directory, its own env added, the server's variables absent", async () => {
    const server = start(serverToml("scripted", { ...mcpServers.scripted(), env: { GREETING: "hi" } }));
    const chat = await open(server, "mcp-where");
    await chat.step([{ text: "```scripted.whoami\n{}\n```\n" }, { text: "Seen." }]);
    await finished(chat, "Seen.");
    const [whoami] = await outputs(chat);
    const seen = JSON.parse(whoami!) as { pid: number; cwd: string; env: Record<string, string> };
    const workspace = (await (await server.call("/api/v2/conversations/mcp-where")).json()).workspace as string;
    expect(seen.cwd).toBe(workspace);
    expect(seen.env.GREETING).toBe("hi");
    expect(seen.env.OPENAI_BASE_URL).toBeUndefined();
    if (backend === "bwrap") expect(seen.pid).toBeLessThan(100); // its own PID namespace
  });

  it("a crash gives the model and the user an error naming the server with its stderr; the next call starts it again", async () => {
    const server = start(serverToml("scripted", mcpServers.scripted()));
    const chat = await open(server, "mcp-crash");
    await chat.step([
      { text: "```scripted.whoami\n{}\n```\n" },
      { text: '```scripted.crash\n{"code": 9}\n```\n' },
      { text: "```scripted.whoami\n{}\n```\n" },
      { text: "Recovered." },
    ]);
    await finished(chat, "Recovered.");
    const [before, crash, after] = await outputs(chat);
    expect(crash).toContain('MCP server "scripted" stopped during the call to scripted.crash');
    expect(crash).toContain("crash: giving up on purpose (exit 9)");
    const pidBefore = (JSON.parse(before!) as { pid: number }).pid;
    const pidAfter = (JSON.parse(after!) as { pid: number }).pid;
    expect(pidAfter).not.toBe(pidBefore);
  });

  it("a server that exits at start, and one that never answers a call, are named errors and the conversation goes on", async () => {
    const server = start(serverToml("broken", mcpServers.exitsAtStart()) + serverToml("scripted", mcpServers.scripted()), { callMs: 5_000 });
    const chat = await open(server, "mcp-failures");
    await chat.step([{ text: "```scripted.hang\n{}\n```\n" }, { text: "```mcp\nload broken\n```\n" }, { text: "Went on." }]);
    await finished(chat, "Went on.");
    const [hang, load] = await outputs(chat);
    expect(hang).toContain('MCP server "scripted" did not answer scripted.hang within 5 s; it was stopped');
    expect(hang).toContain("hang: stuck on a lock");
    expect(load).toContain('MCP server "broken" failed to start');
    expect(load).toContain("fatal: cannot open /nonexistent/settings.json");
    const overview = await (await server.call("/api/v2/conversations/mcp-failures/mcp")).json();
    expect(overview.servers.find((status: { name: string }) => status.name === "broken")).toMatchObject({ state: "failed" });
  });

  it("deleting the conversation stops its servers", async () => {
    const tag = `mcp-delete-${randomBytes(6).toString("hex")}`;
    const scripted = mcpServers.scripted();
    const server = start(serverToml("scripted", { ...scripted, args: [...scripted.args, tag] }));
    const chat = await open(server, "mcp-delete");
    await chat.step([{ text: "```scripted.whoami\n{}\n```\n" }, { text: "Up." }]);
    await finished(chat, "Up.");
    expect(processesWith(tag).length).toBeGreaterThan(0);
    expect((await server.call("/api/v2/conversations/mcp-delete", { method: "DELETE" })).status).toBe(200);
    await until(() => processesWith(tag).length === 0);
  });
});

describe("an idle conversation's servers", { timeout: 120_000 }, () => {
  it("stop when the conversation is forgotten as idle (no client, nothing running)", async () => {
    const tag = `mcp-idle-${randomBytes(6).toString("hex")}`;
    const scripted = mcpServers.scripted();
    const server = start(serverToml("scripted", { ...scripted, args: [...scripted.args, tag] }), { sessionIdleLimitMs: 500 });
    const chat = await open(server, "mcp-idle");
    await chat.step([{ text: "```scripted.whoami\n{}\n```\n" }, { text: "Up." }]);
    await finished(chat, "Up.");
    expect(processesWith(tag).length).toBeGreaterThan(0);
    await chat.reader.close();
    await until(() => processesWith(tag).length === 0);
  });
});

describe("a server's question (elicitation) reaches the user through elicit/respond", { timeout: 120_000 }, () => {
  it("a web client sees elicit_pending with the form's fields and its answer goes back to the server, typed", async () => {
    const server = start(serverToml("everything", mcpServers.everything()));
    const chat = await open(server, "mcp-elicit");
    await chat.step([{ text: "```everything.trigger-elicitation-request\n{}\n```\n" }, { text: "Thanks." }]);
    const asked = await chat.reader.nextType("elicit_pending", slow);
    expect(asked.data).toMatchObject({ elicit_type: "form", prompt: "MCP Server 'everything': Please provide inputs for the following fields:" });
    const fields = asked.data.fields as Array<{ name: string; type: string; required: boolean }>;
    expect(fields).toEqual(expect.arrayContaining([expect.objectContaining({ name: "name", type: "text", required: true }), expect.objectContaining({ name: "check", type: "boolean" })]));
    // A client joining now learns about the open question.
    const late = new SseReader(await server.call(`/api/v2/conversations/mcp-elicit/events?session_id=${chat.sessionId}`));
    readers.push(late);
    expect((await late.nextType("connected")).data.pending_elicitations).toEqual([expect.objectContaining({ elicit_id: asked.data.elicit_id })]);

    const answer = await server.call("/api/v2/conversations/mcp-elicit/elicit/respond", {
      method: "POST",
      json: { elicit_id: asked.data.elicit_id, action: "accept", value: JSON.stringify({ name: "Ada", check: "yes", integer: "7" }) },
    });
    expect(answer.status).toBe(200);
    await finished(chat, "Thanks.");
    const [output] = await outputs(chat);
    expect(output).toContain("Ada");
    expect(output).toMatch(/"check": true/);
    expect(output).toMatch(/"integer": 7/);
  });
});

describe("workspace-declared MCP servers wait for the user", { timeout: 120_000 }, () => {
  const markerServer = (marker: string) => ({ command: "sh", args: ["-c", `echo started > ${marker}; exec sleep 600`] });

  it("a gptme.toml the model writes itself starts nothing, even with auto-confirm on, until the user confirms", async () => {
    const server = start("", { autoStart: true });
    const chat = await open(server, "mcp-planted");
    const workspace = (await (await server.call("/api/v2/conversations/mcp-planted")).json()).workspace as string;
    const marker = join(workspace, "planted-started");
    const planted = `[mcp]\nenabled = true\nauto_start = true\n\n${serverToml("planted", markerServer(marker))}`;
    // The turn after the save reads the planted file: an approval is asked, never auto-confirmed.
    await chat.step([{ text: `\`\`\`save gptme.toml\n${planted}\`\`\`\n` }, { text: "Saved." }]);
    const pending = await approvalAsked(chat);
    expect(existsSync(join(workspace, "gptme.toml"))).toBe(true);
    expect(pending).toMatchObject({ auto_confirm: false, tooluse: { tool: "mcp", args: ["approve", "planted"] } });
    expect(pending.tooluse!.content).toContain(join(workspace, "gptme.toml"));
    expect(pending.tooluse!.content).toContain(`echo started > ${marker}`);
    expect(existsSync(marker)).toBe(false);

    // Skipping it leaves it stopped; the turn goes on.
    const skip = await server.call("/api/v2/conversations/mcp-planted/tool/confirm", {
      method: "POST",
      json: { session_id: chat.sessionId, tool_id: pending.tool_id, action: "skip" },
    });
    expect(skip.status).toBe(200);
    await finished(chat, "Saved.");
    expect(existsSync(marker)).toBe(false);
    const overview = await (await server.call("/api/v2/conversations/mcp-planted/mcp")).json();
    expect(overview.servers).toEqual([expect.objectContaining({ name: "planted", state: "needs-approval", needsApproval: true, approved: false })]);
  });

  it("once the user confirms, the server starts and its tools are offered", async () => {
    const server = start("");
    const chat = await open(server, "mcp-approved");
    const workspace = (await (await server.call("/api/v2/conversations/mcp-approved")).json()).workspace as string;
    writeFileSync(join(workspace, "gptme.toml"), serverToml("project", mcpServers.everything()));
    await chat.step([{ text: '```project.echo\n{"message": "approved"}\n```\n' }, { text: "Done." }]);
    const pending = await approvalAsked(chat);
    const confirm = await server.call("/api/v2/conversations/mcp-approved/tool/confirm", {
      method: "POST",
      json: { session_id: chat.sessionId, tool_id: pending.tool_id, action: "confirm" },
    });
    expect(confirm.status).toBe(200);
    await finished(chat, "Done.");
    expect(await outputs(chat)).toEqual(["Echo: approved"]);
    const overview = await (await server.call("/api/v2/conversations/mcp-approved/mcp")).json();
    expect(overview.servers).toEqual([expect.objectContaining({ name: "project", state: "running", approved: true, source: { layer: "project", files: [join(workspace, "gptme.toml")] } })]);
  });
});

describe("a conversation's config.mcp", () => {
  it("is validated on PATCH (the key named) and changes the servers listed", async () => {
    const server = start("");
    const chat = await open(server, "mcp-config");
    const bad = await server.call("/api/v2/conversations/mcp-config/config", { method: "PATCH", json: { mcp: { servers: [{ name: "x" }] } } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toContain("mcp.servers[0]");
    const good = await server.call("/api/v2/conversations/mcp-config/config", {
      method: "PATCH",
      json: { mcp: { servers: [{ name: "remote", url: http.url }] } },
    });
    expect(good.status).toBe(200);
    // Clients learn that the conversation's MCP servers changed.
    expect((await chat.reader.nextType("config_changed")).data.changed_fields).toEqual(["mcp"]);
    const overview = await (await server.call("/api/v2/conversations/mcp-config/mcp")).json();
    expect(overview.servers).toEqual([expect.objectContaining({ name: "remote", transport: "http", state: "stopped", source: { layer: "conversation", files: ["conversation config"] } })]);
    expect((await server.call("/api/v2/conversations/missing/mcp")).status).toBe(404);
  });

  it("a bad user config file is reported naming the file and key, and the conversation still answers", async () => {
    const server = start("[[mcp.servers]]\nname = 3\n");
    const chat = await open(server, "mcp-bad-file");
    const overview = await (await server.call("/api/v2/conversations/mcp-bad-file/mcp")).json();
    expect(overview.error).toMatch(/config\.toml.*mcp\.servers\[0\]\.name/);
    await chat.step([{ text: "Still here." }]);
    await finished(chat, "Still here.");
  });
});

/** Host pids whose command line contains `tag` (sandboxed processes are visible from outside). */
function processesWith(tag: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").includes(tag)) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Waits for a condition the system reaches by itself (a killed process leaving /proc). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + slow;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
  }
}
