import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrations } from "../../runtime/store/sqlite/migrations.js";
import { SqliteConversationStore } from "../../runtime/store/sqlite/sqlite-store.js";
import type { ChatConfig, ConversationStore, Message, Role } from "../../runtime/store/types.js";
import { type StoreUnderTest, storeBackends } from "../support/store-backends.js";

let directory: string;
let store: ConversationStore;
let sqlite: SqliteConversationStore;
const config: ChatConfig = { chat: {}, env: {} };
const at = (role: Role, content: string, extra: Partial<Message> = {}): Message => ({
  role,
  content,
  timestamp: "2025-01-01T00:00:00.000Z",
  ...extra,
});
const systemPrompt = at("system", "You are gptme. Use the shell tool and read the manual.", { hide: true, pinned: true });

async function create(id: string, messages: Message[], created?: number) {
  await store.create({ id, config, workspace: "/w", messages, created });
}

async function search(query: string, limit = 10, cursor?: string) {
  return store.list({ limit, query, cursor });
}

const ids = (page: { items: Array<{ id: string }> }) => page.items.map((item) => item.id);
const count = (sql: string) => (sqlite.database.prepare(sql).get() as { n: number }).n;

for (const backend of await storeBackends()) {
  describe(`on ${backend.name}`, () => {
    let opened: StoreUnderTest;
    beforeEach(async () => {
      opened = await backend.open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    describe("opening words", () => {
      it("are the first visible user message's, collapsed and cut at a word, while the name stays the id", async () => {
        const long = "Please   write a\nscript that renames every photo in this folder by the date it was taken, then sorts them";
        await create("chat-1", [systemPrompt, at("user", long)]);
        const [item] = (await store.list({ limit: 10 })).items;
        expect(item!.name).toBe("chat-1");
        expect(item!.firstUserMessagePreview).toBe("Please write a script that renames every photo in this…");
        expect(item!.firstUserMessagePreview.length).toBeLessThanOrEqual(61);
      });

      it("are set by the first append that brings a user message and kept by later ones", async () => {
        await create("c", [systemPrompt]);
        expect((await store.get("c"))!.firstUserMessagePreview).toBe("");
        await store.append("c", [at("user", "fix the login bug")]);
        await store.append("c", [at("assistant", "done"), at("user", "now the signup bug")]);
        expect((await store.get("c"))!.firstUserMessagePreview).toBe("fix the login bug");
      });

      it("follow a replaced main branch (undo, edits), not a side branch", async () => {
        await create("c", [systemPrompt, at("user", "first idea")]);
        await store.append("c", [at("user", "side idea")], "side");
        expect((await store.get("c"))!.firstUserMessagePreview).toBe("first idea");
        await store.replaceMessages("c", [systemPrompt, at("user", "second idea")]);
        expect((await store.get("c"))!.firstUserMessagePreview).toBe("second idea");
      });
    });

    describe("search", () => {
      beforeEach(async () => {
        await create("zoo", [
          systemPrompt,
          at("user", "tell me about marsupials"),
          at("assistant", "The Quokka lives on Rottnest Island and is famous for its smile."),
          at("user", "thanks"),
          at("assistant", "you are welcome"),
        ], 100);
        await create("cooking", [systemPrompt, at("user", "a recipe for beta-carotene soup"), at("assistant", "carrots")], 200);
        await create("empty-chat", [systemPrompt], 300);
      });

      it("finds a word from the middle of a conversation, case-insensitively, with the snippet around it", async () => {
        const page = await search("QUOKKA");
        expect(ids(page)).toEqual(["zoo"]);
        expect(page.items[0]!.searchSnippet).toBe("The Quokka lives on Rottnest Island and is famous for its smile.");
        expect(ids(await search("okka liv"))).toEqual(["zoo"]);
      });

      it("keeps substring semantics: q=ETA finds beta, and ids still match", async () => {
        expect(ids(await search("ETA"))).toEqual(["cooking"]);
        expect(ids(await search("mpty-ch"))).toEqual(["empty-chat"]);
        expect((await search("mpty-ch")).items[0]!.searchSnippet).toBeNull();
      });

      it("answers one- and two-character queries (too short for trigrams) from the id, name and previews", async () => {
        // "you are welcome" is zoo's last message; "kk" only occurs in the middle of it.
        expect(ids(await search("WE"))).toEqual(["zoo"]);
        expect((await search("we")).items[0]!.searchSnippet).toBe("you are welcome");
        expect(ids(await search("kk"))).toEqual([]);
        expect(ids(await search("y-"))).toEqual(["empty-chat"]);
      });

      it("does not search hidden messages (the system prompt every conversation shares)", async () => {
        // (empty-chat matches through its last-message preview, which is the prompt itself.)
        expect(ids(await search("gptme. Use the shell"))).toEqual(["empty-chat"]);
        expect(ids(await search("manual"))).toEqual(["empty-chat"]);
      });

      it("treats FTS syntax in the query as plain text", async () => {
        await create("syntax", [at("user", 'say "hi" AND NOT (bye*) col:umn')], 400);
        expect(ids(await search('"hi" AND NOT'))).toEqual(["syntax"]);
        expect(ids(await search("(bye*)"))).toEqual(["syntax"]);
        expect(ids(await search("col:umn"))).toEqual(["syntax"]);
        expect(ids(await search('"'))).toEqual(["syntax"]);
      });

      it("stays newest first and pages with the same cursors", async () => {
        for (const [index, id] of ["one", "two", "three"].entries()) {
          await create(id, [at("user", "start"), at("assistant", `the wombat number ${index}`), at("user", "end")], 1000 + index);
        }
        const first = await search("wombat", 2);
        expect(ids(first)).toEqual(["three", "two"]);
        const second = await search("wombat", 2, first.nextCursor!);
        expect(ids(second)).toEqual(["one"]);
        expect(second.nextCursor).toBeNull();
      });

      it("keeps the index in step with append, replace, message updates and delete", async () => {
        await store.append("empty-chat", [at("user", "what about platypus eggs?")]);
        expect(ids(await search("platypus"))).toEqual(["empty-chat"]);
        await store.replaceMessages("empty-chat", [systemPrompt, at("user", "never mind")]);
        expect(ids(await search("platypus"))).toEqual([]);
        // An edit in place (as message editing does) is indexed too.
        await opened.sql("UPDATE messages SET content = 'echidna' WHERE conversation_id = 'empty-chat' AND position = 1");
        expect(ids(await search("echidna"))).toEqual(["empty-chat"]);
        expect(await store.delete("zoo")).toBe(true);
        expect(ids(await search("quokka"))).toEqual([]);
      });

      it("treats LIKE wildcards and backslashes in the query as plain text", async () => {
        await create("wild", [at("user", "100% sure about snake_case and C:\\temp")], 500);
        expect(ids(await search("0% s"))).toEqual(["wild"]);
        expect(ids(await search("%"))).toEqual(["wild"]);
        expect(ids(await search("e_c"))).toEqual(["wild"]);
        expect(ids(await search("e%c"))).toEqual([]);
        expect(ids(await search("snake_"))).toEqual(["wild"]);
        expect(ids(await search("C:\\te"))).toEqual(["wild"]);
        expect(ids(await search("\\"))).toEqual(["wild"]);
        expect(ids(await search("C:_"))).toEqual([]);
      });

      it("finds a word in any branch, and snippets come from main first", async () => {
        await store.append("cooking", [at("user", "a side note about beta testing")], "side");
        await store.append("empty-chat", [at("user", "only a branch mentions the narwhal")], "alt");
        expect(ids(await search("narwhal"))).toEqual(["empty-chat"]);
        expect((await search("narwhal")).items[0]!.searchSnippet).toBe("only a branch mentions the narwhal");
        expect((await search("beta")).items[0]!.searchSnippet).toBe("a recipe for beta-carotene soup");
      });
    });
  });
}

describe("the SQLite trigram index", () => {
  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), "gptme-search-"));
    sqlite = SqliteConversationStore.open(join(directory, "gptme.db"));
    store = sqlite;
    await create("cooking", [systemPrompt, at("user", "a recipe for beta-carotene soup"), at("assistant", "carrots")], 200);
  });
  afterEach(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("stays in step with the messages, hidden ones left out", async () => {
    await create("zoo", [systemPrompt, at("user", "quokka")], 100);
    await store.append("zoo", [at("user", "more")]);
    await store.replaceMessages("cooking", [systemPrompt, at("user", "never mind")]);
    expect(await store.delete("zoo")).toBe(true);
    const indexed = count("SELECT count(*) AS n FROM message_search");
    expect(indexed).toBe(count("SELECT count(*) AS n FROM messages WHERE hide = 0"));
    expect(count("SELECT count(*) AS n FROM message_search_keys")).toBe(indexed);
  });

  it("answers message text from the trigram index, not by scanning messages", () => {
    const plan = sqlite.database
      .prepare("EXPLAIN QUERY PLAN SELECT rowid FROM message_search WHERE message_search MATCH '\"quokka\"'")
      .all() as Array<{ detail: string }>;
    expect(plan.map((row) => row.detail).join(" ")).toMatch(/VIRTUAL TABLE INDEX/);
    // The index alone answers: a row only it knows about is found.
    sqlite.database.prepare("INSERT INTO message_search_keys (conversation_id, branch, position) VALUES ('cooking', 'main', 99)").run();
    sqlite.database.prepare("INSERT INTO message_search (rowid, content) VALUES (last_insert_rowid(), 'only in the index')").run();
    return search("only in the index").then((page) => expect(ids(page)).toEqual(["cooking"]));
  });
});

describe("migration 4 on an existing SQLite database", () => {
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "gptme-search-"));
  });
  afterEach(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("backfills the opening words and the index", async () => {
    const path = join(directory, "old.db");
    const old = new BetterSqlite3(path);
    old.exec(migrations.find((migration) => migration.version === 1)!.sql);
    old.pragma("user_version = 1");
    old.prepare(
      `INSERT INTO conversations (id, name, created, modified, config, workspace, message_count) VALUES ('old', 'old', 1, 1, '{"chat":{},"env":{}}', '/w', 3)`,
    ).run();
    const insert = old.prepare(
      "INSERT INTO messages (conversation_id, branch, position, role, content, timestamp, hide) VALUES ('old', 'main', ?, ?, ?, '2025-01-01', ?)",
    );
    insert.run(0, "system", "hidden prompt about wombats", 1);
    insert.run(1, "user", "  how do   I deploy this? ", 0);
    insert.run(2, "assistant", "use the capybara deployer", 0);
    old.close();

    store = SqliteConversationStore.open(path);
    expect((await store.get("old"))!.firstUserMessagePreview).toBe("how do I deploy this?");
    expect(ids(await search("capybara"))).toEqual(["old"]);
    expect(ids(await search("wombats"))).toEqual([]);
  });
});
