/**
 * The ConversationStore contract, on SQLite and on PostgreSQL: the same calls, the same answers.
 * (SQLite's own pragmas and query plans are in sqlite-store.test.ts, PostgreSQL's in postgres-store.test.ts.)
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatConfig, Message } from "../../runtime/store/types.js";
import { type StoreUnderTest, storeBackends } from "../support/store-backends.js";

const config: ChatConfig = { chat: { tools: ["shell"] }, env: {} };
const message = (content: string, extra: Partial<Message> = {}): Message => ({
  role: "user",
  content,
  timestamp: "2025-01-01T00:00:00.000Z",
  ...extra,
});

for (const backend of await storeBackends()) {
  describe(`the conversation store on ${backend.name}`, () => {
    let opened: StoreUnderTest;
    const others: StoreUnderTest[] = [];
    const store = () => opened.store;
    beforeEach(async () => {
      opened = await backend.open();
    });
    afterEach(async () => {
      for (const other of others.splice(0)) await other.close();
      await opened.close();
    });
    const another = async () => {
      const other = await opened.openAnother();
      others.push(other);
      return other;
    };

    it("keeps counters and totals on the conversation row", async () => {
      await store().create({ id: "c", config, workspace: "/w", messages: [message("a")] });
      await store().append("c", [
        message("b", { role: "assistant", metadata: { cost: 0.5, input_tokens: 10, output_tokens: 3 } }),
      ]);
      await store().append("c", [message("<think>hm</think> c", { role: "assistant", metadata: { cost: 0.25, input_tokens: 5 } })]);
      expect(await store().get("c")).toMatchObject({
        messageCount: 3,
        lastMessageRole: "assistant",
        lastMessagePreview: "c",
        totalCost: 0.75,
        totalInputTokens: 15,
        totalOutputTokens: 3,
        branchCount: 1,
        workspace: "/w",
        config,
      });
      await store().replaceMessages("c", [message("x", { metadata: { cost: 2 } })]);
      expect(await store().get("c")).toMatchObject({ messageCount: 1, lastMessageRole: "user", totalCost: 2, totalInputTokens: 0 });
    });

    it("round-trips every message field exactly", async () => {
      const full: Message = {
        role: "assistant",
        content: "line one\nline two ünïcödé 🙂 \\ ' \" %_",
        timestamp: "2025-02-03T04:05:06.789Z",
        files: ["a.txt", "dir/b.png"],
        pinned: true,
        hide: true,
        call_id: "call_1",
        metadata: { model: "openai/gpt", cost: 0.001, input_tokens: 12, nested: { list: [1, "two"] } },
      };
      await store().create({ id: "c", config, workspace: "/w", messages: [full, message("plain")] });
      expect(await store().messages("c")).toEqual([full, message("plain")]);
    });

    it("keeps a NUL character in message text (tool output may carry one)", async () => {
      const binary = message("before\u0000after", { role: "system" });
      await store().create({ id: "nul", config, workspace: "/w", messages: [binary] });
      await store().append("nul", [message("x\u0000y\u0000")]);
      expect((await store().messages("nul")).map((each) => each.content)).toEqual(["before\u0000after", "x\u0000y\u0000"]);
      expect((await store().get("nul"))!.lastMessagePreview.replaceAll("\u0000", "")).toBe("xy");
    });

    it("keeps or refuses (400 on PostgreSQL, whose text cannot hold it) a NUL in a name, never half-writes", async () => {
      await store().create({ id: "c", config, workspace: "/w", messages: [] });
      const renamed = store().rename("c", "a\u0000b");
      if (backend.name === "sqlite") {
        await renamed;
        expect((await store().get("c"))!.name).toBe("a\u0000b");
      } else {
        await expect(renamed).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/NUL character/) });
        expect(await store().get("c")).toMatchObject({ name: "c", version: 0 });
      }
    });

    it("keeps branches apart and counts them", async () => {
      await store().create({ id: "c", config, workspace: "/w", messages: [message("a")] });
      await store().append("c", [message("x")], "side");
      await store().append("c", [message("y")], "side");
      expect((await store().messages("c", "side")).map((each) => each.content)).toEqual(["x", "y"]);
      expect(Object.keys(await store().branches("c"))).toEqual(["main", "side"]);
      expect((await store().get("c"))?.branchCount).toBe(2);
      expect((await store().get("c"))?.messageCount).toBe(1);
      await store().replaceMessages("c", [], "side");
      expect((await store().get("c"))?.branchCount).toBe(1);
      expect(await store().messages("c", "nothing")).toEqual([]);
    });

  it("reads a slice of a branch and every branch's length without loading the messages", async () => {
      await store().create({ id: "c", config, workspace: "/w", messages: ["0", "1", "2", "3", "4"].map((text) => message(text)) });
      await store().append("c", [message("s0"), message("s1")], "side");
      expect((await store().messageRange("c", "main", 3, 10)).map((each) => each.content)).toEqual(["3", "4"]);
      expect((await store().messageRange("c", "main", 1, 3)).map((each) => each.content)).toEqual(["1", "2"]);
      expect(await store().messageRange("c", "main", 4, 4)).toEqual([]);
      expect(await store().messageRange("c", "nothing", 0, 9)).toEqual([]);
      expect(await store().branchLengths("c")).toEqual({ main: 5, side: 2 });
      await store().replaceMessages("c", [message("only")]);
      expect(await store().branchLengths("c")).toEqual({ main: 1, side: 2 });
      await store().create({ id: "empty", config, workspace: "/w", messages: [] });
      expect(await store().branchLengths("empty")).toEqual({ main: 0 });
      await expect(store().branchLengths("missing")).rejects.toThrow(/not found/);
      await expect(store().messageRange("missing", "main", 0, 5)).rejects.toThrow(/not found/);
    });

    it("counts every write to a conversation in its version", async () => {
      await store().create({ id: "c", config, workspace: "/w", messages: [message("a")] });
      await store().create({ id: "other", config, workspace: "/w", messages: [] });
      const versions = [(await store().get("c"))!.version];
      const writes = [
        () => store().append("c", [message("b")]),
        () => store().append("c", [message("x")], "side"),
        () => store().replaceMessages("c", [message("a")]),
        () => store().replaceMessages("c", [message("a")], "side"),
        () => store().updateConfig("c", config),
        () => store().rename("c", "named"),
      ];
      for (const write of writes) {
        await write();
        versions.push((await store().get("c"))!.version);
      }
      expect(new Set(versions).size).toBe(versions.length);
      await store().append("other", [message("elsewhere")]);
      expect((await store().get("c"))!.version).toBe(versions.at(-1));
    });

    it("orders branches main first, then by name byte order", async () => {
      await store().create({ id: "c", config, workspace: "/w", messages: [message("m")] });
      for (const branch of ["b", "B", "a", "_"]) await store().append("c", [message(branch)], branch);
      expect(Object.keys(await store().branches("c"))).toEqual(["main", "B", "_", "a", "b"]);
      expect(Object.keys(await store().branchLengths("c"))).toEqual(["main", "B", "_", "a", "b"]);
    });

    it("names a conversation by its id until named, and renames it in its config too", async () => {
      await store().create({ id: "c", config, workspace: "/w", messages: [] });
      expect((await store().get("c"))!.name).toBe("c");
      await store().rename("c", "Named");
      const renamed = await store().get("c");
      expect(renamed!.name).toBe("Named");
      expect(renamed!.config.chat).toEqual({ tools: ["shell"], name: "Named" });
      await store().updateConfig("c", { chat: { name: "Other", workspace: "/elsewhere" }, env: { A: "1" } });
      expect(await store().get("c")).toMatchObject({ name: "Other", workspace: "/elsewhere", config: { env: { A: "1" } } });
    });

    it("survives reopening, and deleting cascades to messages and drafts", async () => {
      await store().create({ id: "kept", config, workspace: "/w", messages: [message("a")] });
      opened = await opened.reopen();
      expect(await store().messages("kept")).toEqual([message("a")]);
      await store().drafts.save({ conversationId: "kept", branch: "main", position: 1, content: "d", model: "m", updated: "now" });
      expect(await store().delete("kept")).toBe(true);
      expect(await store().delete("kept")).toBe(false);
      expect(await opened.sql("SELECT count(*) AS n FROM messages")).toEqual([{ n: 0 }]);
      expect(await store().drafts.list()).toEqual([]);
      expect(await store().get("kept")).toBeNull();
    });

    it("rejects duplicates atomically and unknown ids clearly", async () => {
      await store().create({ id: "c", config, workspace: "/w", messages: [message("a")] });
      await expect(store().create({ id: "c", config, workspace: "/w", messages: [message("b")] })).rejects.toThrow(
        /already exists/,
      );
      expect(await store().messages("c")).toEqual([message("a")]);
      await expect(store().append("missing", [message("x")])).rejects.toThrow(/not found/);
      await expect(store().messages("missing")).rejects.toThrow(/not found/);
      await expect(store().branches("missing")).rejects.toThrow(/not found/);
      await expect(store().replaceMessages("missing", [])).rejects.toThrow(/not found/);
      await expect(store().updateConfig("missing", config)).rejects.toThrow(/not found/);
      await expect(store().rename("missing", "x")).rejects.toThrow(/not found/);
    });

    it("lists newest first and pages with cursors, ties broken by id", async () => {
      for (const [id, created] of [["a", 10], ["b", 20], ["c", 20], ["d", 30], ["e", 5]] as const) {
        await store().create({ id, config, workspace: "/w", messages: [], created });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store().list({ limit: 2, cursor });
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(["d", "c", "b", "a", "e"]);
      const first = await store().list({ limit: 5 });
      expect(first.nextCursor).toBeNull();
      expect(first.items[0]).toEqual({
        id: "d",
        name: "d",
        created: 30,
        modified: 30,
        messageCount: 0,
        branchCount: 1,
        workspace: "/w",
        lastMessageRole: null,
        lastMessagePreview: "",
        totalCost: 0,
        totalInputTokens: 0,
        totalOutputTokens: 0,
        firstUserMessagePreview: "",
      });
      await expect(store().list({ limit: 2, cursor: "not-a-cursor" })).rejects.toThrow(/Invalid cursor/);
    });

    it("moves a conversation to the top of the list when it changes", async () => {
      await store().create({ id: "old", config, workspace: "/w", messages: [], created: 1 });
      await store().create({ id: "new", config, workspace: "/w", messages: [], created: 2 });
      await store().append("old", [message("bump")]);
      expect((await store().list({ limit: 5 })).items.map((item) => item.id)).toEqual(["old", "new"]);
    });

    it("changes its change token on every write, also one made through another connection", async () => {
      const other = await another();
      const tokens = [await store().changeToken()];
      const expectChanged = async () => {
        const token = await store().changeToken();
        expect(tokens).not.toContain(token);
        tokens.push(token);
      };
      await other.store.create({ id: "c", config, workspace: "/w", messages: [] });
      await expectChanged();
      await other.store.append("c", [message("a")]);
      await expectChanged();
      await other.store.rename("c", "n");
      await expectChanged();
      await other.store.updateConfig("c", config);
      await expectChanged();
      await other.store.replaceMessages("c", []);
      await expectChanged();
      await other.store.delete("c");
      await expectChanged();
      expect(await store().changeToken()).toBe(tokens.at(-1));
    });

    it("loses no message when many writers append at once through two connections", async () => {
      const other = await another();
      await store().create({ id: "busy", config, workspace: "/w", messages: [] });
      const writers = 40;
      const lengths = await Promise.all(
        Array.from({ length: writers }, (_, index) =>
          (index % 2 === 0 ? store() : other.store).append("busy", [
            message(`q${index}`, { metadata: { cost: 1, input_tokens: 2 } }),
            message(`a${index}`, { role: "assistant" }),
          ]),
        ),
      );
      expect(lengths.toSorted((left, right) => left - right)).toEqual(Array.from({ length: writers }, (_, index) => (index + 1) * 2));
      const stored = await store().messages("busy");
      expect(stored).toHaveLength(writers * 2);
      // Each batch stays together, in the order its writer gave it.
      for (let position = 0; position < stored.length; position += 2) {
        expect(stored[position + 1]!.content).toBe(`a${stored[position]!.content.slice(1)}`);
      }
      expect(new Set(stored.map((each) => each.content)).size).toBe(writers * 2);
      expect(await other.store.get("busy")).toMatchObject({ messageCount: writers * 2, totalCost: writers, totalInputTokens: writers * 2 });
    });

    it("lets only one of two concurrent creators of an id win", async () => {
      const other = await another();
      const results = await Promise.allSettled([
        store().create({ id: "race", config, workspace: "/one", messages: [message("one")] }),
        other.store.create({ id: "race", config, workspace: "/two", messages: [message("two")] }),
      ]);
      expect(results.map((result) => result.status).toSorted()).toEqual(["fulfilled", "rejected"]);
      const winner = results[0]!.status === "fulfilled" ? "one" : "two";
      expect(await store().messages("race")).toEqual([message(winner)]);
    });
  });
}
