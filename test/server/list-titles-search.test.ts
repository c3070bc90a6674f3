import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
beforeEach(() => {
  server = createTestServer();
});
afterEach(async () => {
  await server.close();
});

const put = (id: string, messages: Array<{ role: string; content: string }>) =>
  server.call(`/api/v2/conversations/${id}`, { method: "PUT", json: { messages } });
const post = (id: string, role: string, content: string) =>
  server.call(`/api/v2/conversations/${id}`, { method: "POST", json: { role, content } });
const list = async (query = "") => (await server.call(`/api/v2/conversations${query}`)).json();

describe("GET /api/v2/conversations: titles and search", () => {
  it("gives each item the opening words of its first user message, leaving name unset (the id)", async () => {
    await put("chat-2026-11-30T11-30-52-390Z", [{ role: "user", content: "Write a haiku about\n\nthe sea" }]);
    await post("chat-2026-11-30T11-30-52-390Z", "user", "and another about mountains");
    const [item] = await list();
    expect(item.name).toBe("chat-2026-11-30T11-30-52-390Z");
    expect(item.first_user_message_preview).toBe("Write a haiku about the sea");
    expect(item).not.toHaveProperty("search_snippet");
    const page = await list("?paginated=1");
    expect(page.conversations[0].first_user_message_preview).toBe("Write a haiku about the sea");
  });

  it("is empty for a conversation without a user message, and documented in the OpenAPI schema", async () => {
    await put("bare", []);
    expect((await list())[0].first_user_message_preview).toBe("");
    const document = await (await server.call("/api/docs/openapi.json", { auth: false })).json();
    const text = JSON.stringify(document.paths["/api/v2/conversations"].get);
    expect(text).toContain("first_user_message_preview");
    expect(text).toContain("search_snippet");
  });

  it("q finds a word from the middle of a conversation and returns the matching snippet", async () => {
    await put("travel", [{ role: "user", content: "plan a trip" }]);
    await post("travel", "assistant", "Day two: take the ferry to Rottnest Island and meet a quokka.");
    await post("travel", "user", "sounds good");
    await post("travel", "assistant", "enjoy");
    await put("other", [{ role: "user", content: "unrelated" }]);
    const hits = await list("?q=ROTTNEST");
    expect(hits.map((item: { id: string }) => item.id)).toEqual(["travel"]);
    expect(hits[0].search_snippet).toBe("Day two: take the ferry to Rottnest Island and meet a quokka.");
    // Short queries still work (on the id, name and previews), and a name match without a message match has a null snippet.
    expect((await list("?q=jo")).map((item: { id: string }) => item.id)).toEqual(["travel"]);
    expect((await list("?q=othe"))[0]).toMatchObject({ id: "other", search_snippet: null });
  });

  it("pages search results newest first with next_cursor", async () => {
    for (const id of ["a", "b", "c"]) {
      await put(id, [{ role: "user", content: "start" }]);
      await post(id, "assistant", `the shared needle in ${id}`);
      await post(id, "user", "end");
    }
    const first = await list("?q=needle&paginated=1&limit=2");
    expect(first.conversations.map((item: { id: string }) => item.id)).toEqual(["c", "b"]);
    const second = await list(`?q=needle&paginated=1&limit=2&cursor=${encodeURIComponent(first.next_cursor)}`);
    expect(second.conversations.map((item: { id: string }) => item.id)).toEqual(["a"]);
    expect(second.next_cursor).toBeNull();
  });
});
