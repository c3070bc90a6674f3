/**
 * `GET /api/v2/conversations/{id}` as gptme HEAD answers it: `logfile`, the `limit`/`before`
 * window (which here bounds the whole answer, branches included), and weak ETags with 304.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Message } from "../../runtime/store/types.js";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
beforeEach(() => {
  server = createTestServer();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
});

const get = (path: string, headers: Record<string, string> = {}) => server.call(`/api/v2/conversations/${path}`, { headers });
const numbered = (count: number, prefix = "m", from = 0): Message[] =>
  Array.from({ length: count }, (_, index) => ({ role: "user", content: `${prefix}${from + index}`, timestamp: "2025-01-01T00:00:00.000Z" }));

async function createWith(id: string, messages: Message[]) {
  await server.call(`/api/v2/conversations/${id}`, { method: "PUT", json: { prompt: "short" } });
  // The prompt is replaced so message i sits at index i.
  await server.runtime.store.replaceMessages(id, messages);
}

describe("GET conversation", () => {
  it("names gptme's logfile inside the logdir", async () => {
    await server.call("/api/v2/conversations/files", { method: "PUT", json: {} });
    const body = await (await get("files")).json();
    expect(body.logdir).toBe(server.runtime.conversations.directory("files"));
    expect(body.logfile).toBe(`${body.logdir}/conversation.jsonl`);
  });

  it("omits before when there is nothing older, and pages back with it", async () => {
    await createWith("paged", numbered(25));
    const whole = await (await get("paged?limit=50")).json();
    expect(whole).toMatchObject({ total_messages: 25, has_more: false });
    expect("before" in whole).toBe(false);
    expect("before" in (await (await get("paged")).json())).toBe(false);

    const last = await (await get("paged?limit=10")).json();
    expect(last.log.map((message: Message) => message.content)).toEqual(numbered(10, "m", 15).map((message) => message.content));
    expect(last).toMatchObject({ total_messages: 25, has_more: true, before: 15 });
    const older = await (await get("paged?limit=10&before=15")).json();
    expect(older.log[0].content).toBe("m5");
    expect(older).toMatchObject({ has_more: true, before: 5 });
    const oldest = await (await get("paged?limit=10&before=5")).json();
    expect(oldest.log.map((message: Message) => message.content)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect(oldest.has_more).toBe(false);
    expect("before" in oldest).toBe(false);
  });

  it("answers gptme's messages to bad limit and before values", async () => {
    await createWith("bad", numbered(3));
    const error = async (query: string) => {
      const response = await get(`bad?${query}`);
      return [response.status, (await response.json()).error];
    };
    expect(await error("limit=abc")).toEqual([400, "limit must be a positive integer"]);
    expect(await error("limit=0")).toEqual([400, "limit must be a positive integer"]);
    expect(await error("limit=5&before=-1")).toEqual([400, "before must be a non-negative integer"]);
    expect(await error("limit=5&before=x")).toEqual([400, "before must be a non-negative integer"]);
    expect(await error("before=1")).toEqual([400, "before requires limit to be set"]);
  });

  it("bounds the whole answer by limit: every branch is paged like the log, and no branch is read whole", async () => {
    const total = 100_001;
    await createWith("huge", numbered(total));
    await server.runtime.store.append("huge", numbered(30, "side"), "main-edit-0");
    const wholeReads = [vi.spyOn(server.runtime.store, "messages"), vi.spyOn(server.runtime.store, "branches")];

    const response = await get("huge?limit=10");
    const text = await response.text();
    expect(response.status).toBe(200);
    const body = JSON.parse(text);
    expect(body.log).toHaveLength(10);
    expect(body.log.at(-1).content).toBe(`m${total - 1}`);
    expect(body.branches.main).toEqual(body.log);
    expect(body.branches["main-edit-0"].map((message: Message) => message.content)).toEqual(numbered(10, "side", 20).map((message) => message.content));
    expect(body).toMatchObject({ total_messages: total, has_more: true, before: total - 10 });
    expect(text.length).toBeLessThan(10_000);

    const page = await (await get("huge?limit=10&before=25")).json();
    expect(page.branches.main.map((message: Message) => message.content)).toEqual(numbered(10, "m", 15).map((message) => message.content));
    expect(page.branches["main-edit-0"].map((message: Message) => message.content)).toEqual(numbered(10, "side", 15).map((message) => message.content));
    for (const spy of wholeReads) expect(spy).not.toHaveBeenCalled();
  });

  it("sends every branch whole without limit, as gptme", async () => {
    await createWith("full", numbered(3));
    await server.runtime.store.append("full", numbered(2, "side"), "main-edit-0");
    const body = await (await get("full")).json();
    expect(body.log).toHaveLength(3);
    expect(body.branches.main).toHaveLength(3);
    expect(body.branches["main-edit-0"]).toHaveLength(2);
    expect(body.total_messages).toBeUndefined();
  });
});

describe("GET conversation ETag", () => {
  it("sends a weak ETag and answers 304 with an empty body to a matching If-None-Match", async () => {
    await createWith("tagged", numbered(3));
    const first = await get("tagged");
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.headers.get("cache-control")).toBe("no-cache");
    for (const header of [etag, `"other", ${etag}`, etag.slice(2), "*"]) {
      const again = await get("tagged", { "if-none-match": header });
      expect(again.status, header).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("etag")).toBe(etag);
    }
    const mismatched = await get("tagged", { "if-none-match": '"deadbeefdeadbeef"' });
    expect(mismatched.status).toBe(200);
    expect(mismatched.headers.get("etag")).toBe(etag);
  });

  it("changes with every write to the conversation, with the page asked for, and with its live session", async () => {
    await createWith("changing", numbered(3));
    const seen = new Set<string>();
    const tag = async (path = "changing") => {
      const etag = (await get(path)).headers.get("etag")!;
      expect(seen.has(etag), path).toBe(false);
      seen.add(etag);
      return etag;
    };
    await tag();
    await server.call("/api/v2/conversations/changing", { method: "POST", json: { role: "user", content: "follow-up" } });
    await tag();
    await server.runtime.store.append("changing", numbered(1, "side"), "elsewhere");
    await tag();
    await server.call("/api/v2/conversations/changing/config", { method: "PATCH", json: { chat: { name: "renamed" } } });
    await tag();
    await tag("changing?limit=2");
    await tag("changing?limit=2&before=2");
    const events = await server.call("/api/v2/conversations/changing/events");
    await events.body?.cancel();
    const latest = await tag();
    expect((await get("changing", { "if-none-match": latest })).status).toBe(304);
  });

  it("is not sent for a missing conversation", async () => {
    const response = await get("missing", { "if-none-match": "*" });
    expect(response.status).toBe(404);
    expect(response.headers.get("etag")).toBeNull();
  });
});
