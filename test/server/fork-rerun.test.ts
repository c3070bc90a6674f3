/** `POST .../fork?after_message=N` and `POST .../rerun` as gptme HEAD, through HTTP and the real SDK. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { SseReader } from "../support/sse-client.js";
import { createModelBackedServer, type TestServer } from "../support/test-runtime.js";

interface WireMessage {
  role: string;
  content: string;
  files?: string[];
}

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

async function create(id: string, messages: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  const response = await server.call(`/api/v2/conversations/${id}`, { method: "PUT", json: { prompt: "You are a test.", messages, ...extra } });
  expect(response.status).toBe(200);
  return (await response.json()).session_id as string;
}
const detail = async (id: string) => (await server.call(`/api/v2/conversations/${id}`)).json();
async function events(id: string, sessionId: string) {
  const response = await server.call(`/api/v2/conversations/${id}/events?session_id=${sessionId}`);
  expect(response.status).toBe(200);
  const reader = new SseReader(response);
  readers.push(reader);
  await reader.nextType("connected");
  return reader;
}
const answer = async (response: Promise<Response> | Response) => {
  const resolved = await response;
  return [resolved.status, (await resolved.json()).error];
};

const chat = [
  { role: "user", content: "first question" },
  { role: "assistant", content: "first answer" },
  { role: "user", content: "second question" },
];

describe("fork", () => {
  it("copies the messages up to after_message into a new conversation named as gptme names it", async () => {
    await create("source", chat, { config: { chat: { model: "openai/gpt-4o" } } });
    const source = await detail("source");
    const after = source.log.length - 2;
    const response = await server.call(`/api/v2/conversations/source/fork?after_message=${after}`, { method: "POST" });
    expect(response.status).toBe(200);
    const forked = await response.json();
    expect(forked).toMatchObject({ status: "ok" });
    expect(forked.conversation_id).toMatch(/^chat-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{6}\+00-00-\d{9}$/);
    const copy = await detail(forked.conversation_id);
    expect(copy.name).toBe(`Fork of source @ msg ${after + 1}`);
    expect(copy.log).toEqual(source.log.slice(0, after + 1));
    expect(copy.workspace).toBe(source.workspace);
    const config = await (await server.call(`/api/v2/conversations/${forked.conversation_id}/config`)).json();
    expect(config.chat).toMatchObject({ model: "openai/gpt-4o", name: copy.name });
    await events(forked.conversation_id, forked.session_id);
    expect((await detail("source")).log).toEqual(source.log);
  });

  it("forks from another branch, and answers gptme's errors", async () => {
    await create("source", chat);
    const length = (await detail("source")).log.length;
    await server.call(`/api/v2/conversations/source/messages/${length - 1}`, { method: "PATCH", json: { content: "changed" } });
    const fromBackup = await server.call(`/api/v2/conversations/source/fork?after_message=${length - 1}&branch=main-edit-0`, { method: "POST" });
    expect((await detail((await fromBackup.json()).conversation_id)).log.at(-1).content).toBe("second question");

    const fork = (query: string, id = "source") => server.call(`/api/v2/conversations/${id}/fork${query}`, { method: "POST" });
    expect(await answer(fork(""))).toEqual([400, "after_message query parameter is required"]);
    expect(await answer(fork("?after_message=two"))).toEqual([400, "after_message must be an integer"]);
    expect(await answer(fork("?after_message=99"))).toEqual([400, `Message index 99 out of range (0-${length - 1})`]);
    expect(await answer(fork("?after_message=-1"))).toEqual([400, `Message index -1 out of range (0-${length - 1})`]);
    expect(await answer(fork("?after_message=0&branch=nope"))).toEqual([404, "Branch not found: nope"]);
    expect(await answer(fork("?after_message=0&branch=..%2Fx"))).toEqual([400, "Invalid branch name"]);
    expect(await answer(fork("?after_message=0", "missing"))).toEqual([404, "Conversation not found: missing"]);
  });

  it("copies only the uploads the copied messages reference, and points the copies at them", async () => {
    const attachments = join(server.runtime.conversations.directory("source"), "attachments");
    mkdirSync(attachments, { recursive: true });
    writeFileSync(join(attachments, "keep.txt"), "keep");
    writeFileSync(join(attachments, "skip.txt"), "skip");
    await create("source", [
      { role: "user", content: "with a file", files: ["attachments/keep.txt", "https://example.com/x.png"] },
      { role: "assistant", content: "seen" },
      { role: "user", content: "later", files: ["attachments/skip.txt"] },
    ]);
    const index = (await detail("source")).log.findIndex((message: WireMessage) => message.content === "seen");
    const forked = await (await server.call(`/api/v2/conversations/source/fork?after_message=${index}`, { method: "POST" })).json();
    const copyAttachments = join(server.runtime.conversations.directory(forked.conversation_id), "attachments");
    expect(readFileSync(join(copyAttachments, "keep.txt"), "utf8")).toBe("keep");
    expect(existsSync(join(copyAttachments, "skip.txt"))).toBe(false);
    const files = (await detail(forked.conversation_id)).log.find((message: WireMessage) => message.files)?.files;
    expect(files).toEqual(["attachments/keep.txt", "https://example.com/x.png"]);
    const stored = (await server.runtime.store.messages(forked.conversation_id)).find((message) => message.files)!;
    expect(stored.files![0]).toBe(join(copyAttachments, "keep.txt"));
  });
});

const saveReply = "I'll write it.\n```save hello.txt\nhello again\n```\n";

describe("rerun", () => {
  it("runs the last reply's tool uses again through the confirmation, then the model goes on", async () => {
    const sessionId = await create("again", [{ role: "user", content: "write hello.txt" }, { role: "assistant", content: saveReply }]);
    const stream = await events("again", sessionId);
    model.enqueue({ text: "Written again." });
    const response = await server.call("/api/v2/conversations/again/rerun", { method: "POST", json: { session_id: sessionId } });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ status: "ok", message: "Re-running 1 tool(s)" });
    const pending = await stream.nextType("tool_pending");
    expect(body.tool_ids).toEqual([pending.data.tool_id]);
    expect(pending.data).toMatchObject({ tooluse: { tool: "save", args: ["hello.txt"], content: "hello again" }, auto_confirm: false });
    expect(model.requests).toHaveLength(0);

    const confirmed = await server.call("/api/v2/conversations/again/tool/confirm", {
      method: "POST",
      json: { session_id: sessionId, tool_id: pending.data.tool_id, action: "confirm" },
    });
    expect(confirmed.status).toBe(200);
    await stream.next((frame) => frame.data.type === "generation_complete" && (frame.data.message as WireMessage).content === "Written again.");
    const workspace = (await detail("again")).workspace;
    expect(readFileSync(join(workspace, "hello.txt"), "utf8")).toBe("hello again\n");
    expect(model.requests).toHaveLength(1);
  });

  it("runs them at once when the session auto-confirms", async () => {
    const sessionId = await create("auto", [{ role: "user", content: "write" }, { role: "assistant", content: saveReply }], { auto_confirm: true });
    const stream = await events("auto", sessionId);
    model.enqueue({ text: "Done." });
    expect((await server.call("/api/v2/conversations/auto/rerun", { method: "POST", json: { session_id: sessionId } })).status).toBe(200);
    await stream.next((frame) => frame.data.type === "generation_complete" && (frame.data.message as WireMessage).content === "Done.");
    expect(existsSync(join((await detail("auto")).workspace, "hello.txt"))).toBe(true);
  });

  it("answers gptme's errors, checking input before anything else", async () => {
    const noReply = await create("no-reply", [{ role: "user", content: "hi" }]);
    const noTools = await create("no-tools", [{ role: "user", content: "hi" }, { role: "assistant", content: "just text" }]);
    const rerun = (id: string, json: unknown) => server.call(`/api/v2/conversations/${id}/rerun`, { method: "POST", json });
    expect(await answer(rerun("no-reply", { session_id: noReply }))).toEqual([400, "No assistant message found"]);
    expect(await answer(rerun("no-tools", { session_id: noTools }))).toEqual([400, "No tool uses found in the last assistant message"]);
    expect(await answer(rerun("missing", {}))).toEqual([400, "session_id is required"]);
    expect(await answer(rerun("no-tools", { session_id: "  " }))).toEqual([400, "session_id is required"]);
    expect(await answer(rerun("no-tools", { session_id: 5 }))).toEqual([400, "session_id must be a string"]);
    expect((await rerun("no-tools", { session_id: "nope" })).status).toBe(404);
    expect((await rerun("no-tools", { session_id: noReply })).status).toBe(403);
    expect((await rerun("missing", { session_id: noReply })).status).toBe(404);
  });
});

describe("while generating", () => {
  it("answers 409 to fork and rerun", async () => {
    const sessionId = await create("busy", [{ role: "user", content: "hi" }, { role: "assistant", content: saveReply }, { role: "user", content: "more" }]);
    const stream = await events("busy", sessionId);
    model.enqueue({ text: "thinking...", hang: true });
    await server.call("/api/v2/conversations/busy/step", { method: "POST", json: { session_id: sessionId } });
    await stream.nextType("generation_progress");
    expect(await answer(server.call("/api/v2/conversations/busy/fork?after_message=0", { method: "POST" }))).toEqual([
      409,
      "Cannot fork while generation is in progress",
    ]);
    expect(await answer(server.call("/api/v2/conversations/busy/rerun", { method: "POST", json: { session_id: sessionId } }))).toEqual([
      409,
      "Cannot rerun while generation is in progress",
    ]);
    await server.call("/api/v2/conversations/busy/interrupt", { method: "POST", json: { session_id: sessionId } });
  });
});
