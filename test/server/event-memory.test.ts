/**
 * The replay buffer is bounded by bytes, per conversation and across conversations: what a client
 * posts cannot pin memory. Live clients still get every event; a client resuming from an event
 * that is gone is told to reload.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SseReader } from "../support/sse-client.js";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
const readers: SseReader[] = [];

afterEach(async () => {
  while (readers.length) await readers.pop()!.close();
  await server?.close();
});

async function create(id: string): Promise<string> {
  const response = await server.call(`/api/v2/conversations/${id}`, { method: "PUT", json: { messages: [] } });
  expect(response.status).toBe(200);
  return (await response.json()).session_id as string;
}

async function connect(id: string, sessionId: string, lastEventId?: string): Promise<SseReader> {
  const headers: Record<string, string> = lastEventId === undefined ? {} : { "last-event-id": lastEventId };
  const response = await server.call(`/api/v2/conversations/${id}/events?session_id=${sessionId}`, { headers });
  expect(response.status).toBe(200);
  const reader = new SseReader(response);
  readers.push(reader);
  await reader.nextType("connected");
  return reader;
}

/** Posts a user message of `size` characters and returns the SSE id of its `message_added` on `reader`. */
async function post(id: string, reader: SseReader, size: number, fill = "x"): Promise<string> {
  const content = fill.repeat(size);
  const response = await server.call(`/api/v2/conversations/${id}`, { method: "POST", json: { role: "user", content } });
  expect(response.status).toBe(200);
  const frame = await reader.next((candidate) => candidate.data.type === "message_added", 30_000);
  expect((frame.data.message as { content: string }).content).toBe(content);
  return frame.id!;
}

/** What a client resuming after `lastEventId` is sent before the ping that ends the replay. */
async function resume(id: string, sessionId: string, lastEventId: string) {
  const reader = await connect(id, sessionId, lastEventId);
  await reader.nextType("ping");
  const replayed = reader.frames.slice(1, -1);
  await reader.close();
  return {
    reload: replayed.some((frame) => frame.data.type === "error" && /reload/.test(String(frame.data.error))),
    ids: replayed.filter((frame) => frame.id).map((frame) => frame.id),
  };
}

const previous = (id: string) => String(Number(id) - 1);

describe("the event buffer's byte caps", () => {
  it("sends an event larger than the conversation's cap to live clients but keeps none of it for replay", async () => {
    server = createTestServer({ eventLimits: { maxBytes: 10_000 } });
    const sessionId = await create("big");
    const live = await connect("big", sessionId);
    const small = await post("big", live, 100);
    const big = await post("big", live, 20_000);

    expect(await resume("big", sessionId, small)).toEqual({ reload: true, ids: [] });
    expect(await resume("big", sessionId, big)).toEqual({ reload: false, ids: [] });
    const after = await post("big", live, 100);
    expect(await resume("big", sessionId, big)).toEqual({ reload: false, ids: [after] });
  });

  it("evicts the oldest events once a conversation holds more than its cap", async () => {
    server = createTestServer({ eventLimits: { maxBytes: 10_000 } });
    const sessionId = await create("many");
    const live = await connect("many", sessionId);
    const first = await post("many", live, 4_000);
    const second = await post("many", live, 4_000);
    expect(await resume("many", sessionId, previous(first))).toEqual({ reload: false, ids: [first, second] });

    const third = await post("many", live, 4_000);
    expect(await resume("many", sessionId, previous(first))).toEqual({ reload: true, ids: [second, third] });
    expect(await resume("many", sessionId, first)).toEqual({ reload: false, ids: [second, third] });
  });

  it("evicts the oldest events of any conversation once all of them together hold more than the global cap", async () => {
    server = createTestServer({ eventLimits: { maxBytes: 9_000, totalBytes: 10_000 } });
    const quietSession = await create("quiet");
    const busySession = await create("busy");
    const quiet = await connect("quiet", quietSession);
    const busy = await connect("busy", busySession);
    const old = await post("quiet", quiet, 4_000);
    const one = await post("busy", busy, 4_000);
    expect(await resume("quiet", quietSession, previous(old))).toEqual({ reload: false, ids: [old] });

    const two = await post("busy", busy, 4_000);
    expect(await resume("quiet", quietSession, previous(old))).toEqual({ reload: true, ids: [] });
    expect(await resume("busy", busySession, previous(one))).toEqual({ reload: false, ids: [one, two] });
  });

  it("by default keeps no 5 MB message for replay", async () => {
    server = createTestServer();
    const sessionId = await create("default");
    const live = await connect("default", sessionId);
    const small = await post("default", live, 100);
    await post("default", live, 5 * 1024 * 1024);
    expect(await resume("default", sessionId, small)).toEqual({ reload: true, ids: [] });
  });
});
