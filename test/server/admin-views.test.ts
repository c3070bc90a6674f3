import { mkdirSync, writeFileSync } from "node:fs";
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

async function create(id: string) {
  const response = await server.call(`/api/v2/conversations/${id}`, { method: "PUT", json: { messages: [{ role: "user", content: "hi" }] } });
  return (await response.json()).session_id as string;
}

async function events(id: string, sessionId: string) {
  const reader = new SseReader(await server.call(`/api/v2/conversations/${id}/events?session_id=${sessionId}`));
  readers.push(reader);
  await reader.nextType("connected");
  return reader;
}

describe("GET /api/v2/server/health", () => {
  it("answers HEAD's shape plus ours, green when idle", async () => {
    const response = await server.call("/api/v2/server/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      session_count: 0,
      generating_count: 0,
      idle_count: 0,
      health: "green",
      slots: [],
      status: "ok",
      provider_configured: true,
      version: expect.any(String),
    });
  });

  it("counts generating sessions: yellow with some, red with all", async () => {
    const first = await create("one");
    const second = await create("two");
    model.enqueue({ text: "working", hang: true });
    await server.call("/api/v2/conversations/one/step", { method: "POST", json: { session_id: first } });
    await model.waitForRequests(1);
    let health = await (await server.call("/api/v2/server/health")).json();
    expect(health).toMatchObject({ session_count: 2, generating_count: 1, idle_count: 1, health: "yellow" });
    const busy = health.slots.find((slot: { generating: boolean }) => slot.generating);
    expect(busy.id).toBe(first.slice(0, 8));
    expect(busy.elapsed_seconds).toBeGreaterThanOrEqual(0);
    expect(health.slots.find((slot: { generating: boolean }) => !slot.generating)).toEqual({ id: second.slice(0, 8), generating: false, elapsed_seconds: null });

    model.enqueue({ text: "also working", hang: true });
    await server.call("/api/v2/conversations/two/step", { method: "POST", json: { session_id: second } });
    await model.waitForRequests(2);
    health = await (await server.call("/api/v2/server/health")).json();
    expect(health).toMatchObject({ generating_count: 2, idle_count: 0, health: "red" });
    for (const [id, session] of [["one", first], ["two", second]]) {
      await server.call(`/api/v2/conversations/${id}/interrupt`, { method: "POST", json: { session_id: session } });
    }
  });
});

describe("sessions", () => {
  it("lists live sessions with their conversation, model and state", async () => {
    const sessionId = await create("listed");
    const list = await (await server.call("/api/v2/sessions")).json();
    expect(list).toEqual([
      {
        id: sessionId,
        conversation_id: "listed",
        model: null,
        message_count: expect.any(Number),
        generating: false,
        elapsed_seconds: null,
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        last_activity: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      },
    ]);
    expect(list[0].message_count).toBeGreaterThanOrEqual(2);
  });

  it("shows a generating session's last activity as now, also between its tokens", async () => {
    const sessionId = await create("active");
    model.enqueue({ text: "working on it", hang: true });
    await server.call("/api/v2/conversations/active/step", { method: "POST", json: { session_id: sessionId } });
    await model.waitForRequests(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const before = Date.now();
    const list = await (await server.call("/api/v2/sessions")).json();
    const session = list.find((entry: { id: string }) => entry.id === sessionId);
    expect(session.generating).toBe(true);
    expect(Date.parse(session.last_activity)).toBeGreaterThanOrEqual(before);
    await server.call("/api/v2/conversations/active/interrupt", { method: "POST", json: { session_id: sessionId } });
  });

  it("DELETE ends a session, interrupting the generation it started; the conversation stays", async () => {
    const sessionId = await create("killed");
    const stream = await events("killed", sessionId);
    model.enqueue({ text: "never finishes", hang: true });
    await server.call("/api/v2/conversations/killed/step", { method: "POST", json: { session_id: sessionId } });
    await model.waitForRequests(1);
    const response = await server.call(`/api/v2/sessions/${sessionId}`, { method: "DELETE" });
    expect(await response.json()).toEqual({ status: "ok", message: `Session ${sessionId} deleted` });
    await stream.nextType("interrupted");
    expect((await (await server.call("/api/v2/sessions")).json()).map((session: { id: string }) => session.id)).not.toContain(sessionId);
    expect((await server.call("/api/v2/conversations/killed")).status).toBe(200);
    const step = await server.call("/api/v2/conversations/killed/step", { method: "POST", json: { session_id: sessionId } });
    expect(step.status).toBe(404);
    const again = await server.call(`/api/v2/sessions/${sessionId}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ error: `Session not found: ${sessionId}` });
  });
});

describe("GET /api/v2/providers/health", () => {
  it("probes each configured provider with its key, caches for a minute, ?force=1 probes again", async () => {
    const first = await (await server.call("/api/v2/providers/health")).json();
    expect(first).toEqual({ providers: { local: { status: "ok", latency_ms: expect.any(Number), error: null } } });
    const probes = () => model.requests.filter((request) => request.path === "/v1/models").length;
    expect(probes()).toBe(1);
    await server.call("/api/v2/providers/health");
    expect(probes()).toBe(1);
    await server.call("/api/v2/providers/health?force=1");
    expect(probes()).toBe(2);
  });

  it("reports a rejected key as an error, never the key", async () => {
    const keyed = createTestServer({
      env: { HOME: "/nonexistent", PATH: process.env.PATH, OPENAI_API_KEY: "sk-revoked-123" },
      modelBaseURLs: { openai: model.openaiBaseURL },
    });
    try {
      model.rejectKey("sk-revoked-123");
      const response = await keyed.call("/api/v2/providers/health");
      const text = await response.text();
      expect(text).not.toContain("sk-revoked-123");
      expect(JSON.parse(text).providers.openai).toMatchObject({ status: "error", error: expect.stringMatching(/401/) });
    } finally {
      await keyed.close();
    }
  });

  it("is empty without providers", async () => {
    const bare = createTestServer();
    try {
      expect(await (await bare.call("/api/v2/providers/health")).json()).toEqual({ providers: {} });
    } finally {
      await bare.close();
    }
  });
});

describe("GET /api/v2/config", () => {
  it("answers the [agent] name and urls of the default workspace's gptme.toml", async () => {
    expect(await (await server.call("/api/v2/config")).json()).toEqual({ agent: {} });
    mkdirSync(join(server.workspace, ".github"), { recursive: true });
    writeFileSync(
      join(server.workspace, ".github", "gptme.toml"),
      '[agent]\nname = "testbot"\n\n[agent.urls]\ndashboard = "https://testbot.example.com/"\n',
    );
    expect(await (await server.call("/api/v2/config")).json()).toEqual({
      agent: { name: "testbot", urls: { dashboard: "https://testbot.example.com/" } },
    });
  });
});
