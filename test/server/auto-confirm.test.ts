/** Auto-confirm made visible: how many are left (events and answers), and turning it off mid-run. */
import { writeFileSync } from "node:fs";
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

async function create(id: string) {
  const response = await server.call(`/api/v2/conversations/${id}`, {
    method: "PUT",
    json: { messages: [{ role: "user", content: "do things" }] },
  });
  return (await response.json()).session_id as string;
}

async function events(id: string, sessionId: string) {
  const response = await server.call(`/api/v2/conversations/${id}/events?session_id=${sessionId}`);
  const reader = new SseReader(response);
  readers.push(reader);
  return { reader, connected: await reader.nextType("connected") };
}

const save = (name: string) => `Writing ${name}.\n\`\`\`save ${name}\n${name}\n\`\`\`\n`;
const confirm = (id: string, body: Record<string, unknown>) =>
  server.call(`/api/v2/conversations/${id}/tool/confirm`, { method: "POST", json: body });

describe("auto-confirm", () => {
  it("reports the auto-confirms left in tool_pending and connected, and asks again when they run out", async () => {
    const sessionId = await create("counted");
    const { reader, connected } = await events("counted", sessionId);
    expect(connected.data.auto_confirm_left).toBe(0);
    model.enqueue({ text: save("a.txt") }, { text: save("b.txt") }, { text: save("c.txt") }, { text: "done" });
    await server.call("/api/v2/conversations/counted/step", { method: "POST", json: { session_id: sessionId, auto_confirm: 2 } });
    const first = await reader.nextType("tool_pending");
    expect(first.data).toMatchObject({ auto_confirm: true, auto_confirm_left: 1 });
    const second = await reader.next((frame) => frame.data.type === "tool_pending" && frame.data.tool_id !== first.data.tool_id);
    expect(second.data).toMatchObject({ auto_confirm: true, auto_confirm_left: 0 });
    const third = await reader.next((frame) => frame.data.type === "tool_pending" && frame.data.tool_id !== second.data.tool_id);
    expect(third.data).toMatchObject({ auto_confirm: false, auto_confirm_left: 0 });

    // A client joining now learns the state from `connected`; `auto` with a count sets it again.
    const late = await events("counted", sessionId);
    expect(late.connected.data.auto_confirm_left).toBe(0);
    const auto = await confirm("counted", { session_id: sessionId, tool_id: third.data.tool_id, action: "auto", count: 5 });
    expect(await auto.json()).toMatchObject({ status: "ok", auto_confirm_left: 5 });
  });

  it("says unlimited for auto_confirm: true, and auto_confirm: false turns it off while a tool runs", async () => {
    const sessionId = await create("stoppable");
    const { reader } = await events("stoppable", sessionId);
    const workspace = join(server.runtime.settings.dataDirectory, "logs", "stoppable", "workspace");
    // The first tool waits for a file the test writes, so the request below surely lands mid-run.
    const waiting = "Waiting.\n```shell\nwhile [ ! -f go ]; do sleep 0.05; done; echo went\n```\n";
    model.enqueue({ text: waiting }, { text: save("after.txt") }, { text: "done" });
    await server.call("/api/v2/conversations/stoppable/step", { method: "POST", json: { session_id: sessionId, auto_confirm: true } });
    const first = await reader.nextType("tool_pending");
    expect(first.data).toMatchObject({ auto_confirm: true, auto_confirm_left: "unlimited" });
    await reader.nextType("tool_executing");

    const off = await confirm("stoppable", { session_id: sessionId, auto_confirm: false });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ status: "ok", auto_confirm_left: 0 });
    writeFileSync(join(workspace, "go"), "");

    const next = await reader.next((frame) => frame.data.type === "tool_pending" && frame.data.tool_id !== first.data.tool_id);
    expect(next.data).toMatchObject({ auto_confirm: false, auto_confirm_left: 0, tooluse: { tool: "save" } });
  });

  it("turns auto-confirm off with auto_confirm: false on the next step", async () => {
    const sessionId = await create("by-step");
    const { reader } = await events("by-step", sessionId);
    // The second reply is the conversation's auto-generated name.
    model.enqueue({ text: "nothing to run" }, { text: "A name" }, { text: save("x.txt") });
    await server.call("/api/v2/conversations/by-step/step", { method: "POST", json: { session_id: sessionId, auto_confirm: true } });
    await reader.nextType("generation_complete");
    await server.runtime.sessions.settled("by-step");
    expect(server.runtime.sessions.state("by-step").autoConfirmLeft).toBe("unlimited");
    await server.call("/api/v2/conversations/by-step", { method: "POST", json: { role: "user", content: "now write" } });
    await server.call("/api/v2/conversations/by-step/step", { method: "POST", json: { session_id: sessionId, auto_confirm: false } });
    const pending = await reader.nextType("tool_pending");
    expect(pending.data).toMatchObject({ auto_confirm: false, auto_confirm_left: 0 });
  });

  it("rejects a confirm with neither a tool nor auto_confirm", async () => {
    const sessionId = await create("invalid");
    for (const body of [{ session_id: sessionId }, { session_id: sessionId, action: "confirm" }, { session_id: sessionId, tool_id: "t" }]) {
      const response = await confirm("invalid", body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: expect.stringMatching(/tool_id|action/) });
    }
  });
});
