import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { SseReader } from "../support/sse-client.js";
import { createModelBackedServer, createTestServer, type TestServer } from "../support/test-runtime.js";

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

async function create(id: string, body: Record<string, unknown> = {}) {
  const response = await server.call(`/api/v2/conversations/${id}`, {
    method: "PUT",
    json: { messages: [{ role: "user", content: "write hello.txt" }], ...body },
  });
  expect(response.status).toBe(200);
  return (await response.json()).session_id as string;
}

async function events(id: string, sessionId?: string, headers: Record<string, string> = {}) {
  const query = sessionId ? `?session_id=${sessionId}` : "";
  const response = await server.call(`/api/v2/conversations/${id}/events${query}`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
  const reader = new SseReader(response);
  readers.push(reader);
  await reader.nextType("connected");
  return reader;
}

const saveReply = "I'll write it.\n```save hello.txt\nhello world\n```\n";

describe("sessions over HTTP", () => {
  it("runs step → tool_pending → confirm → output → final reply, persisting what it announces", async () => {
    const sessionId = await create("flow");
    const stream = await events("flow", sessionId);
    model.enqueue({ text: saveReply, chunkSize: 4 }, { text: "Done: hello.txt is written." });

    const step = await server.call("/api/v2/conversations/flow/step", { method: "POST", json: { session_id: sessionId } });
    expect(await step.json()).toMatchObject({ status: "ok", session_id: sessionId });

    await stream.nextType("generation_started");
    await stream.nextType("generation_progress");
    const complete = await stream.nextType("generation_complete");
    expect((complete.data.message as { content: string }).content).toContain("```save hello.txt");
    const pending = await stream.nextType("tool_pending");
    expect(pending.data).toMatchObject({ tooluse: { tool: "save", args: ["hello.txt"], content: "hello world" }, auto_confirm: false });
    expect(existsSync(join(server.runtime.settings.dataDirectory, "logs", "flow", "workspace", "hello.txt"))).toBe(false);

    const confirm = await server.call("/api/v2/conversations/flow/tool/confirm", {
      method: "POST",
      json: { session_id: sessionId, tool_id: pending.data.tool_id, action: "confirm" },
    });
    expect(confirm.status).toBe(200);
    await stream.nextType("tool_executing");
    const output = await stream.next((frame) => frame.data.type === "message_added" && (frame.data.message as { role: string }).role === "system");
    expect((output.data.message as { content: string }).content).toMatch(/Saved to/);
    await stream.nextType("tool_complete");
    const final = await stream.next(
      (frame) => frame.data.type === "generation_complete" && (frame.data.message as { content: string }).content.startsWith("Done"),
    );
    expect(final.id).toBeTruthy();
    await stream.next((frame) => frame.data.type === "config_changed" && (frame.data.changed_fields as string[]).includes("name"));

    const workspace = join(server.runtime.settings.dataDirectory, "logs", "flow", "workspace");
    expect(readFileSync(join(workspace, "hello.txt"), "utf8")).toBe("hello world\n");
    const log = (await (await server.call("/api/v2/conversations/flow")).json()).log as Array<{ role: string; content: string; metadata?: Record<string, unknown> }>;
    const visible = log.filter((message) => !(message.role === "system" && (message as { hide?: boolean }).hide));
    expect(visible.map((message) => message.role)).toEqual(["user", "assistant", "system", "assistant"]);
    expect(visible[1]!.metadata).toMatchObject({ model: "local/fake" });
    const announced = stream.frames.filter((frame) => frame.data.type === "message_added").map((frame) => (frame.data.message as { content: string }).content);
    for (const content of announced) expect(log.map((message) => message.content)).toContain(content);
    const ids = stream.frames.filter((frame) => frame.id).map((frame) => Number(frame.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it("runs every tool with auto_confirm: true", async () => {
    const sessionId = await create("auto");
    const stream = await events("auto", sessionId);
    model.enqueue({ text: saveReply }, { text: "All done." });
    await server.call("/api/v2/conversations/auto/step", { method: "POST", json: { session_id: sessionId, auto_confirm: true } });
    const pending = await stream.nextType("tool_pending");
    expect(pending.data.auto_confirm).toBe(true);
    await stream.nextType("tool_executing");
    await stream.next((frame) => frame.data.type === "generation_complete" && (frame.data.message as { content: string }).content === "All done.");
  });

  it("skips a tool and tells the model, and edits a tool's content", async () => {
    const sessionId = await create("skip");
    const stream = await events("skip", sessionId);
    model.enqueue({ text: saveReply }, { text: "Fine, not writing it." });
    await server.call("/api/v2/conversations/skip/step", { method: "POST", json: { session_id: sessionId } });
    const pending = await stream.nextType("tool_pending");
    const skip = await server.call("/api/v2/conversations/skip/tool/confirm", {
      method: "POST",
      json: { session_id: sessionId, tool_id: pending.data.tool_id, action: "skip" },
    });
    expect(skip.status).toBe(200);
    await stream.next((frame) => frame.data.type === "generation_complete" && (frame.data.message as { content: string }).content.startsWith("Fine"));
    expect(existsSync(join(server.runtime.settings.dataDirectory, "logs", "skip", "workspace", "hello.txt"))).toBe(false);

    const editSession = await create("edit");
    const editStream = await events("edit", editSession);
    model.enqueue({ text: saveReply }, { text: "Edited version saved." });
    await server.call("/api/v2/conversations/edit/step", { method: "POST", json: { session_id: editSession } });
    const editPending = await editStream.nextType("tool_pending");
    await server.call("/api/v2/conversations/edit/tool/confirm", {
      method: "POST",
      json: { session_id: editSession, tool_id: editPending.data.tool_id, action: "edit", content: "edited content" },
    });
    await editStream.next((frame) => frame.data.type === "generation_complete" && (frame.data.message as { content: string }).content.startsWith("Edited"));
    const file = join(server.runtime.settings.dataDirectory, "logs", "edit", "workspace", "hello.txt");
    expect(readFileSync(file, "utf8")).toBe("edited content\n");
  });

  it("interrupts mid-stream: keeps the partial reply, sends interrupted, no further step", async () => {
    const sessionId = await create("stop");
    const stream = await events("stop", sessionId);
    model.enqueue({ text: "This is a long reply that streams slowly ".repeat(20), chunkSize: 5, delayMs: 20 });
    await server.call("/api/v2/conversations/stop/step", { method: "POST", json: { session_id: sessionId } });
    await stream.nextType("generation_progress");
    const interrupt = await server.call("/api/v2/conversations/stop/interrupt", { method: "POST", json: { session_id: sessionId } });
    expect(interrupt.status).toBe(200);
    await stream.nextType("interrupted");
    const log = (await (await server.call("/api/v2/conversations/stop")).json()).log as Array<{ role: string; content: string }>;
    const last = log.at(-1)!;
    expect(last.role).toBe("assistant");
    expect(last.content).toMatch(/\[interrupted\]/i);
    expect(last.content.length).toBeLessThan(40 * 20);
    expect(server.runtime.sessions.isGenerating("stop")).toBe(false);
    const idle = await server.call("/api/v2/conversations/stop/interrupt", { method: "POST", json: { session_id: sessionId } });
    expect(await idle.json()).toMatchObject({ status: "ok" });
  });

  it("loses nothing when the only client disconnects mid-generation", async () => {
    const sessionId = await create("gone-client");
    const stream = await events("gone-client", sessionId);
    model.enqueue({ text: "A reply that keeps going after the client leaves. ".repeat(10), chunkSize: 8, delayMs: 5 });
    await server.call("/api/v2/conversations/gone-client/step", { method: "POST", json: { session_id: sessionId } });
    await stream.nextType("generation_progress");
    await stream.close();
    await server.runtime.sessions.settled("gone-client");
    const log = (await (await server.call("/api/v2/conversations/gone-client")).json()).log as Array<{ role: string; content: string }>;
    expect(log.at(-1)).toEqual(
      expect.objectContaining({ role: "assistant", content: "A reply that keeps going after the client leaves. ".repeat(10) }),
    );
  });

  it("answers a second concurrent step with 409 and validates input", async () => {
    const sessionId = await create("busy");
    model.enqueue({ hang: true });
    expect((await server.call("/api/v2/conversations/busy/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(200);
    const second = await server.call("/api/v2/conversations/busy/step", { method: "POST", json: { session_id: sessionId } });
    expect(second.status).toBe(409);
    expect(await second.json()).toEqual({ error: "Generation already in progress" });
    expect((await server.call("/api/v2/conversations/busy", { method: "POST", json: { role: "user", content: "x" } })).status).toBe(409);
    await server.call("/api/v2/conversations/busy/interrupt", { method: "POST", json: { session_id: sessionId } });

    expect((await server.call("/api/v2/conversations/busy/step", { method: "POST", json: {} })).status).toBe(400);
    expect((await server.call("/api/v2/conversations/busy/step", { method: "POST", json: { session_id: "nope" } })).status).toBe(404);
    expect((await server.call("/api/v2/conversations/missing/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(404);
    const other = await create("other");
    expect((await server.call("/api/v2/conversations/busy/step", { method: "POST", json: { session_id: other } })).status).toBe(403);
    const unknownAction = await server.call("/api/v2/conversations/busy/tool/confirm", { method: "POST", json: { tool_id: "x", action: "explode" } });
    expect(await unknownAction.json()).toEqual({ error: "Unknown action: explode" });
    expect((await server.call("/api/v2/conversations/busy/tool/confirm", { method: "POST", json: { tool_id: "x", action: "confirm" } })).status).toBe(404);
    expect((await server.call("/api/v2/conversations/busy/tool/confirm", { method: "POST", json: { tool_id: "x", action: "edit" } })).status).toBe(400);
    expect((await server.call("/api/v2/conversations/busy/tool/confirm", { method: "POST", json: { tool_id: "x", action: "auto", count: 0 } })).status).toBe(400);
    expect((await server.call("/api/v2/conversations/busy/step", { method: "POST", json: { session_id: sessionId, stream: "yes" } })).status).toBe(400);
  });

  it("replays exactly the missed events after Last-Event-ID, and two clients see the same stream", async () => {
    const sessionId = await create("replay");
    const first = await events("replay", sessionId);
    const second = await events("replay", sessionId);
    model.enqueue({ text: "one two three four five six seven", chunkSize: 4 });
    await server.call("/api/v2/conversations/replay/step", { method: "POST", json: { session_id: sessionId } });
    await first.nextType("generation_complete");
    await second.nextType("generation_complete");
    await first.next((frame) => frame.data.type === "config_changed");
    await second.next((frame) => frame.data.type === "config_changed");
    const numbered = (reader: SseReader) => reader.frames.filter((frame) => frame.id).map((frame) => frame.raw);
    expect(numbered(first)).toEqual(numbered(second));

    const withIds = first.frames.filter((frame) => frame.id);
    const resumeAfter = withIds[1]!;
    const resumed = await events("replay", sessionId, { "last-event-id": resumeAfter.id! });
    const expected = withIds.slice(2).map((frame) => frame.raw);
    await resumed.next((frame) => frame.id === withIds.at(-1)!.id);
    expect(resumed.frames.filter((frame) => frame.id).map((frame) => frame.raw)).toEqual(expected);

    const tooOld = await events("replay", sessionId, { "last-event-id": "999999" });
    await tooOld.next((frame) => frame.data.type === "error" && /reload/.test(String(frame.data.error)));
  });

  it("reports a model failure as an error event and a stored system message", async () => {
    const sessionId = await create("broken");
    const stream = await events("broken", sessionId);
    model.enqueue({ status: 500 }, { status: 500 }, { status: 500 });
    const step = await server.call("/api/v2/conversations/broken/step", { method: "POST", json: { session_id: sessionId } });
    expect(step.status).toBe(502);
    expect((await step.json()).error).toMatch(/500/);
    const error = await stream.nextType("error");
    expect(String(error.data.error)).toMatch(/500/);
    const log = (await (await server.call("/api/v2/conversations/broken")).json()).log as Array<{ role: string; content: string }>;
    expect(log.at(-1)).toMatchObject({ role: "system" });
    expect(log.at(-1)!.content).toMatch(/^Error: /);
  });

  it("answers a generation request without a provider with a clear error naming the env vars", async () => {
    const bare = createTestServer();
    try {
      const response = await bare.call("/api/v2/conversations/nokey", { method: "PUT", json: {} });
      const sessionId = (await response.json()).session_id;
      const step = await bare.call("/api/v2/conversations/nokey/step", { method: "POST", json: { session_id: sessionId } });
      expect(step.status).toBe(503);
      expect((await step.json()).error).toMatch(/OPENAI_API_KEY/);
    } finally {
      await bare.close();
    }
  });
});

describe("the agent's shell", () => {
  it("does not see the server token", async () => {
    process.env.GPTME_SERVER_TOKEN = "secret-server-token";
    try {
      const sessionId = await create("token-leak");
      const stream = await events("token-leak", sessionId);
      model.enqueue({ text: "```shell\necho \"token=[$GPTME_SERVER_TOKEN]\"\n```\n" }, { text: "ok" });
      await server.call("/api/v2/conversations/token-leak/step", { method: "POST", json: { session_id: sessionId, auto_confirm: true } });
      const output = await stream.next(
        (frame) => frame.data.type === "message_added" && (frame.data.message as { role: string }).role === "system",
      );
      expect((output.data.message as { content: string }).content).toContain("token=[]");
    } finally {
      delete process.env.GPTME_SERVER_TOKEN;
    }
  });
});

describe("tool output while a tool runs", () => {
  it("streams partial output as tool_output events, then the final result", async () => {
    const sessionId = await create("partial");
    const stream = await events("partial", sessionId);
    model.enqueue({ text: "```shell\necho first; sleep 0.6; echo second\n```\n" }, { text: "done" });
    await server.call("/api/v2/conversations/partial/step", { method: "POST", json: { session_id: sessionId, auto_confirm: true } });
    const partial = await stream.next((frame) => frame.data.type === "tool_output" && frame.data.partial === true);
    expect(String(partial.data.output)).toContain("first");
    const final = await stream.next((frame) => frame.data.type === "tool_output" && !frame.data.partial);
    expect(String(final.data.output)).toMatch(/Ran command[\s\S]*first[\s\S]*second/);
    const complete = await stream.nextType("tool_complete");
    expect(complete.data.success).toBe(true);
  });
});
