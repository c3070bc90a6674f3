/**
 * A tool confirmation nobody answers does not lock the conversation: a new user message skips it,
 * DELETE cancels it. While the model streams, both stay 409 (interrupt first), as in gptme.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
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

const saveReply = "I'll write it.\n```save hello.txt\nhello world\n```\n";

/** A named conversation (so no auto-naming request reaches the model) with a client listening. */
async function open(id: string): Promise<{ sessionId: string; stream: SseReader }> {
  const response = await server.call(`/api/v2/conversations/${id}`, {
    method: "PUT",
    json: { messages: [{ role: "user", content: "write hello.txt" }], config: { chat: { name: `named ${id}` } } },
  });
  expect(response.status).toBe(200);
  const sessionId = (await response.json()).session_id as string;
  const events = await server.call(`/api/v2/conversations/${id}/events?session_id=${sessionId}`);
  const stream = new SseReader(events);
  readers.push(stream);
  await stream.nextType("connected");
  return { sessionId, stream };
}

async function stepToPendingTool(id: string, sessionId: string, stream: SseReader): Promise<string> {
  model.enqueue({ text: saveReply });
  const step = await server.call(`/api/v2/conversations/${id}/step`, { method: "POST", json: { session_id: sessionId } });
  expect(step.status).toBe(200);
  return String((await stream.nextType("tool_pending")).data.tool_id);
}

const confirm = (id: string, body: Record<string, unknown>) =>
  server.call(`/api/v2/conversations/${id}/tool/confirm`, { method: "POST", json: body });

const postMessage = (id: string, content: string) =>
  server.call(`/api/v2/conversations/${id}`, { method: "POST", json: { role: "user", content } });

async function log(id: string): Promise<Array<{ role: string; content: string }>> {
  return (await (await server.call(`/api/v2/conversations/${id}`)).json()).log;
}

const written = (id: string) => existsSync(join(server.runtime.settings.dataDirectory, "logs", id, "workspace", "hello.txt"));

describe("a tool confirmation nobody answers", () => {
  it("is skipped by a new user message, recorded as the Skip button records it, with no new step", async () => {
    const skipped = await open("skipped");
    const skippedTool = await stepToPendingTool("skipped", skipped.sessionId, skipped.stream);
    model.enqueue({ text: "Fine, not writing it." });
    expect((await confirm("skipped", { tool_id: skippedTool, action: "skip" })).status).toBe(200);
    await skipped.stream.nextType("generation_complete");
    const skipNote = (await log("skipped")).find((message) => message.role === "system" && /declined/.test(message.content))!;
    model.reset();

    const { sessionId, stream } = await open("typed");
    const toolId = await stepToPendingTool("typed", sessionId, stream);
    const posted = await postMessage("typed", "Do not write it; list the files instead.");
    expect(posted.status).toBe(200);

    expect((await log("typed")).slice(-3)).toMatchObject([
      { role: "assistant", content: saveReply },
      { role: "system", content: skipNote.content },
      { role: "user", content: "Do not write it; list the files instead." },
    ]);
    expect(written("typed")).toBe(false);
    const added = stream.frames.filter((frame) => frame.data.type === "message_added").map((frame) => (frame.data.message as { role: string }).role);
    expect(added.slice(-2)).toEqual(["system", "user"]);
    const state = (await (await server.call("/api/v2/conversations/typed")).json()).session;
    expect(state.generating).toBe(false);
    expect(model.requests).toHaveLength(1);
    expect(await (await confirm("typed", { tool_id: toolId, action: "confirm" })).json()).toEqual({
      status: "ok",
      message: "Tool already skipped (a new message was sent instead)",
      auto_confirm_left: 0,
    });

    model.enqueue({ text: "Here are the files." });
    expect((await server.call("/api/v2/conversations/typed/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(200);
    await stream.next((frame) => frame.data.type === "generation_complete" && (frame.data.message as { content: string }).content === "Here are the files.");
    expect(model.requests).toHaveLength(2);
    expect(JSON.stringify(model.requests[1]!.body.messages)).toContain("list the files instead");
  });

  it("is cancelled by DELETE, which deletes the conversation", async () => {
    const { sessionId, stream } = await open("abandoned");
    await stepToPendingTool("abandoned", sessionId, stream);
    expect((await server.call("/api/v2/conversations/abandoned", { method: "DELETE" })).status).toBe(200);
    await stream.nextType("interrupted");
    expect((await server.call("/api/v2/conversations/abandoned")).status).toBe(404);
    expect(written("abandoned")).toBe(false);
    expect(model.requests).toHaveLength(1);
  });

  it("does not unlock anything while the model streams: a new message and DELETE stay 409 until an interrupt", async () => {
    const { sessionId, stream } = await open("streaming");
    model.enqueue({ text: "Thinking out loud ", hang: true });
    await server.call("/api/v2/conversations/streaming/step", { method: "POST", json: { session_id: sessionId } });
    await stream.nextType("generation_progress");
    const posted = await postMessage("streaming", "hello?");
    expect(posted.status).toBe(409);
    expect(await posted.json()).toEqual({ error: "Cannot add message while generation is in progress" });
    const deleted = await server.call("/api/v2/conversations/streaming", { method: "DELETE" });
    expect(deleted.status).toBe(409);
    expect(await deleted.json()).toEqual({ error: "Cannot delete conversation while generation is in progress" });

    await server.call("/api/v2/conversations/streaming/interrupt", { method: "POST", json: { session_id: sessionId } });
    expect((await postMessage("streaming", "hello?")).status).toBe(200);
    expect((await server.call("/api/v2/conversations/streaming", { method: "DELETE" })).status).toBe(200);
  });
});

describe("confirming a tool that was already handled", () => {
  it("answers 200 with what happened to it; an unknown id stays 404", async () => {
    const { sessionId, stream } = await open("handled");
    const toolId = await stepToPendingTool("handled", sessionId, stream);
    model.enqueue({ text: "Written." });
    expect(await (await confirm("handled", { session_id: sessionId, tool_id: toolId, action: "confirm" })).json()).toEqual({
      status: "ok",
      message: "Tool confirmed",
      auto_confirm_left: 0,
    });
    const again = await confirm("handled", { session_id: sessionId, tool_id: toolId, action: "skip" });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: "ok", message: "Tool already confirmed", auto_confirm_left: 0 });
    await stream.nextType("generation_complete");

    model.enqueue({ text: saveReply }, { text: "Written again." });
    await server.call("/api/v2/conversations/handled/step", { method: "POST", json: { session_id: sessionId, auto_confirm: true } });
    const auto = await stream.nextType("tool_pending");
    expect(auto.data.auto_confirm).toBe(true);
    await stream.next((frame) => frame.data.type === "generation_complete" && (frame.data.message as { content: string }).content === "Written again.");
    const late = await confirm("handled", { tool_id: auto.data.tool_id, action: "confirm" });
    expect(late.status).toBe(200);
    expect(await late.json()).toEqual({ status: "ok", message: "Tool already auto-confirmed", auto_confirm_left: "unlimited" });

    const unknown = await confirm("handled", { tool_id: "no-such-tool", action: "confirm" });
    expect(unknown.status).toBe(404);
    // gptme's wording without a session_id: it looked for the tool in every session of the conversation.
    expect(await unknown.json()).toEqual({ error: "Tool not found in any session for conversation: no-such-tool" });
    const unknownInSession = await confirm("handled", { tool_id: "no-such-tool", action: "confirm", session_id: sessionId });
    expect(unknownInSession.status).toBe(404);
    expect(await unknownInSession.json()).toEqual({ error: "Tool no-such-tool no longer pending (may have been executed or cancelled)" });
  });
});
