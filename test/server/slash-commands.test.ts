import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { SseReader } from "../support/sse-client.js";
import { createModelBackedServer, type TestServer } from "../support/test-runtime.js";

let model: FakeModelServer;
let server: TestServer;
const readers: SseReader[] = [];

beforeAll(async () => {
  model = await startFakeModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(() => {
  model.reset();
  server = createModelBackedServer(model.openaiBaseURL);
});
afterEach(async () => {
  while (readers.length) await readers.pop()!.close();
  await server.close();
});

async function create(id: string) {
  const response = await server.call(`/api/v2/conversations/${id}`, {
    method: "PUT",
    json: { messages: [{ role: "user", content: "first question" }] },
  });
  expect(response.status).toBe(200);
  return (await response.json()).session_id as string;
}

const post = (id: string, content: string) =>
  server.call(`/api/v2/conversations/${id}`, { method: "POST", json: { role: "user", content } });

const log = async (id: string) => (await (await server.call(`/api/v2/conversations/${id}`)).json()).log as Array<{ role: string; content: string }>;

async function events(id: string) {
  const reader = new SseReader(await server.call(`/api/v2/conversations/${id}/events`));
  readers.push(reader);
  await reader.nextType("connected");
  return reader;
}

describe("GET /api/v2/commands", () => {
  it("lists the commands with their slash, including those refused in server mode", async () => {
    const response = await server.call("/api/v2/commands");
    expect(response.status).toBe(200);
    const { commands } = await response.json();
    expect(commands).toEqual(expect.arrayContaining(["/help", "/exit", "/model", "/undo", "/tokens", "/log"]));
    expect(commands.every((command: string) => command.startsWith("/"))).toBe(true);
  });
});

describe("slash commands posted as messages", () => {
  it("runs /help: command true, its output reported, nothing kept in the log", async () => {
    await create("help");
    const before = await log("help");
    const stream = await events("help");
    const response = await post("help", "/help");
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ status: "ok", command: true, responses: 0 });
    expect(body.output).toContain("/undo");
    const echoed = await stream.nextType("message_added");
    expect(echoed.data).toMatchObject({ message: { role: "user", content: "/help" }, stored: false });
    const report = await stream.nextType("message_added");
    expect(report.data).toMatchObject({ message: { role: "system" }, stored: false });
    expect(await log("help")).toEqual(before);
  });

  it("/undo removes the last message (never the system prompt) and tells clients the log changed", async () => {
    await create("undo");
    expect((await post("undo", "second question")).status).toBe(200);
    const stream = await events("undo");
    const response = await post("undo", "/undo");
    expect(await response.json()).toMatchObject({ command: true });
    const edited = await stream.nextType("conversation_edited");
    const messages = await log("undo");
    expect(messages.map((message) => message.content)).not.toContain("second question");
    expect(messages.at(-1)!.content).toBe("first question");
    expect(edited.data.log).toEqual(messages);
    expect((edited.data.branches as Record<string, unknown>).main).toEqual(messages);

    await post("undo", "/undo 5");
    const remaining = await log("undo");
    expect(remaining.length).toBeGreaterThan(0);
    expect(remaining.every((message) => message.role === "system")).toBe(true);
  });

  it("/model switches the conversation's model and announces the config change", async () => {
    await create("model");
    const stream = await events("model");
    const response = await post("model", "/model local/other-model");
    expect((await response.json()).output).toBe("Switched to local/other-model");
    const changed = await stream.nextType("config_changed");
    expect(changed.data.changed_fields).toEqual(["model"]);
    const config = await (await server.call("/api/v2/conversations/model/config")).json();
    expect(config.chat.model).toBe("local/other-model");
  });

  it("reports a failing command's error as its output", async () => {
    await create("failing");
    const response = await post("failing", "/model nosuchprovider/x");
    expect(response.status).toBe(200);
    expect((await response.json()).output).toMatch(/^Command error: Unknown model provider "nosuchprovider"/);
  });

  it("refuses terminal-only commands with gptme's 400, and keeps nothing", async () => {
    await create("blocked");
    const before = await log("blocked");
    for (const command of ["exit", "restart", "edit", "delete", "rm"]) {
      const response = await post("blocked", `/${command}`);
      expect(response.status, command).toBe(400);
      expect(await response.json()).toEqual({ error: `Command /${command} is not available in server mode` });
    }
    expect(await log("blocked")).toEqual(before);
  });

  it("stores paths and ordinary text as messages, and reports unknown commands", async () => {
    await create("plain");
    const path = await post("plain", "/path/to/file.md");
    expect(await path.json()).toEqual({ status: "ok" });
    expect((await log("plain")).at(-1)!.content).toBe("/path/to/file.md");
    const unknown = await (await post("plain", "/frobnicate now")).json();
    expect(unknown).toMatchObject({ command: true });
    expect(unknown.output).toMatch(/Unknown command: \/frobnicate/);
    expect((await log("plain")).at(-1)!.content).toBe("/path/to/file.md");
  });

  it("answers 409 while a generation runs, as any other message", async () => {
    const sessionId = await create("busy");
    model.enqueue({ text: "thinking", hang: true });
    expect((await server.call("/api/v2/conversations/busy/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(200);
    await model.waitForRequests(1);
    const response = await post("busy", "/undo");
    expect(response.status).toBe(409);
    await server.call("/api/v2/conversations/busy/interrupt", { method: "POST", json: { session_id: sessionId } });
  });
});
