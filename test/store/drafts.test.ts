/**
 * Drafts: the reply being generated, kept beside the log (never in it) until the reply is stored,
 * and turned into an `[INTERRUPTED]` message at start when a crash left one behind.
 */
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { recoverInterruptedReplies } from "../../runtime/conversations/recover-drafts.js";
import type { Draft } from "../../runtime/store/drafts.js";
import { SqliteConversationStore } from "../../runtime/store/sqlite/sqlite-store.js";
import type { ChatConfig, Message } from "../../runtime/store/types.js";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { SseReader } from "../support/sse-client.js";
import { type StoreUnderTest, storeBackends } from "../support/store-backends.js";
import { createModelBackedServer, type TestServer } from "../support/test-runtime.js";

const config: ChatConfig = { chat: { name: "named" }, env: {} };
const user = (content: string): Message => ({ role: "user", content, timestamp: "2025-01-01T00:00:00.000Z" });
const draft = (conversationId: string, position: number, content: string, branch = "main"): Draft => ({
  conversationId,
  branch,
  position,
  content,
  model: "local/fake",
  updated: "2025-01-02T03:04:05.000Z",
});

for (const backend of await storeBackends()) {
  describe(`the draft store on ${backend.name}`, () => {
    let opened: StoreUnderTest;
    let store: StoreUnderTest["store"];
    beforeEach(async () => {
      opened = await backend.open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    it("keeps one draft per conversation, hands it over once, and drops it with its conversation", async () => {
      await store.create({ id: "a", config, workspace: "/w", messages: [user("hi")] });
      await store.create({ id: "b", config, workspace: "/w", messages: [user("hi")] });
      expect(await store.drafts.list()).toEqual([]);
      await store.drafts.save(draft("a", 1, "Hel"));
      await store.drafts.save(draft("a", 1, "Hello"));
      await store.drafts.save(draft("b", 1, "Bye"));
      expect((await store.drafts.list()).map((saved) => [saved.conversationId, saved.content])).toEqual([
        ["a", "Hello"],
        ["b", "Bye"],
      ]);
      expect(await store.drafts.take("a")).toEqual(draft("a", 1, "Hello"));
      expect(await store.drafts.take("a")).toBeNull();
      expect(await store.messages("a")).toEqual([user("hi")]);
      await store.delete("b");
      expect(await store.drafts.list()).toEqual([]);
    });

    // SQLite writes the drafts saved within 100 ms together: one still queued must not outlive a take.
    if (backend.name === "sqlite") it("never brings a draft back once taken, even when its save was still being written", async () => {
      await store.create({ id: "a", config, workspace: "/w", messages: [user("hi")] });
      await store.create({ id: "b", config, workspace: "/w", messages: [user("hi")] });
      const savedA = store.drafts.save(draft("a", 1, "Hel"));
      const savedB = store.drafts.save(draft("b", 1, "Bye"));
      expect(await store.drafts.take("a")).toEqual(draft("a", 1, "Hel"));
      await Promise.all([savedA, savedB]);
      await delay(150);
      expect((await store.drafts.list()).map((saved) => saved.conversationId)).toEqual(["b"]);
    });

    it("skips a draft whose conversation was deleted before the draft was written, and keeps the rest", async () => {
      await store.create({ id: "gone", config, workspace: "/w", messages: [user("hi")] });
      await store.create({ id: "kept", config, workspace: "/w", messages: [user("hi")] });
      const saves = [store.drafts.save(draft("gone", 1, "lost")), store.drafts.save(draft("kept", 1, "kept"))];
      await store.delete("gone");
      await Promise.allSettled(saves);
      expect((await store.drafts.list()).map((saved) => saved.content)).toEqual(["kept"]);
    });

    it("recovers a draft as the interrupted reply, and drops drafts whose reply was stored or that hold nothing", async () => {
      for (const id of ["cut", "stored", "empty", "forked"]) await store.create({ id, config, workspace: "/w", messages: [user("go")] });
      await store.append("stored", [{ role: "assistant", content: "the whole reply", timestamp: "2025-01-01T00:00:01.000Z" }]);
      await store.append("forked", [user("on a branch")], "side");
      await store.drafts.save(draft("cut", 1, "half a rep"));
      await store.drafts.save(draft("stored", 1, "the whole re"));
      await store.drafts.save(draft("empty", 1, ""));
      await store.drafts.save(draft("forked", 1, "branch reply", "side"));

      expect(await recoverInterruptedReplies(store, store.drafts)).toBe(2);
      expect((await store.messages("cut")).at(-1)).toEqual({
        role: "assistant",
        content: "half a rep [INTERRUPTED]",
        timestamp: "2025-01-02T03:04:05.000Z",
        metadata: { model: "local/fake" },
      });
      expect((await store.messages("stored")).map((message) => message.content)).toEqual(["go", "the whole reply"]);
      expect(await store.messages("empty")).toHaveLength(1);
      expect((await store.messages("forked", "side")).map((message) => message.content)).toEqual(["on a branch", "branch reply [INTERRUPTED]"]);
      expect(await store.messages("forked")).toHaveLength(1);
      expect(await store.drafts.list()).toEqual([]);
      expect(await recoverInterruptedReplies(store, store.drafts)).toBe(0);
    });

    it("keeps a draft's text exactly, NUL characters included, and refuses one for an unknown conversation", async () => {
      await store.create({ id: "a", config, workspace: "/w", messages: [user("hi")] });
      const text = "binary \u0000 output ünïcödé";
      await store.drafts.save(draft("a", 1, text));
      expect((await store.drafts.list())[0]!.content).toBe(text);
      expect(await store.drafts.take("a")).toEqual(draft("a", 1, text));
      // A streaming reply's draft is saved from its UTF-8 bytes: read back as the same text.
      const bytes = new TextEncoder().encode(`${text} 😀`);
      await store.drafts.save({ ...draft("a", 2, ""), content: bytes });
      expect(await store.drafts.take("a")).toEqual(draft("a", 2, `${text} 😀`));
      await store.drafts.save({ ...draft("a", 2, ""), content: bytes });
      expect((await store.drafts.list())[0]!.content).toBe(`${text} 😀`);
      expect(await store.drafts.take("a")).toEqual(draft("a", 2, `${text} 😀`));
      await expect(store.drafts.save(draft("missing", 0, "x"))).rejects.toThrow();
      expect(await store.drafts.list()).toEqual([]);
    });
  });
}

describe("drafts while a reply streams", () => {
  let model: FakeModelServer;
  let server: TestServer;
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
    await server.close();
  });

  const drafts = () => (server.runtime.store as SqliteConversationStore).drafts;

  async function streaming(id: string, reply: Parameters<FakeModelServer["enqueue"]>[0]) {
    const put = await server.call(`/api/v2/conversations/${id}`, { method: "PUT", json: { messages: [user("go")], config } });
    const sessionId = (await put.json()).session_id as string;
    const stream = new SseReader(await server.call(`/api/v2/conversations/${id}/events?session_id=${sessionId}`));
    await stream.nextType("connected");
    model.enqueue(reply);
    await server.call(`/api/v2/conversations/${id}/step`, { method: "POST", json: { session_id: sessionId } });
    return { sessionId, stream };
  }

  async function draftAppears(): Promise<Draft> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [saved] = await drafts().list();
      if (saved && saved.content.length > 0) return saved;
      if (Date.now() > deadline) throw new Error("no draft was saved");
      await delay(20);
    }
  }

  it("keeps the streamed text out of the log while it streams, and removes it once the reply is stored", async () => {
    const text = "A reply that takes its time. ".repeat(20);
    const { stream } = await streaming("slow", { text, chunkSize: 4, delayMs: 15 });
    const saved = await draftAppears();
    const log = (await (await server.call("/api/v2/conversations/slow")).json()).log as Message[];
    expect(log.at(-1)).toMatchObject({ role: "user", content: "go" });
    expect(saved).toMatchObject({ conversationId: "slow", branch: "main", position: log.length, model: "local/fake" });
    expect(text.startsWith(saved.content)).toBe(true);

    await stream.nextType("generation_complete", 30_000);
    expect(await drafts().list()).toEqual([]);
    await stream.close();
  });

  it("removes the draft when an interrupt stores the partial reply", async () => {
    const { sessionId, stream } = await streaming("interrupted", { text: "Half of it. ".repeat(30), chunkSize: 4, delayMs: 10, hang: true });
    await draftAppears();
    await server.call("/api/v2/conversations/interrupted/interrupt", { method: "POST", json: { session_id: sessionId } });
    expect(await drafts().list()).toEqual([]);
    const log = (await (await server.call("/api/v2/conversations/interrupted")).json()).log as Message[];
    expect(log.at(-1)!.content).toMatch(/ \[INTERRUPTED\]$/);
    expect(log.filter((message) => message.role === "assistant")).toHaveLength(1);
    await stream.close();
  });
});
