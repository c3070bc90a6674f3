/**
 * `PATCH|DELETE /api/v2/conversations/{id}/messages/{index}` as gptme HEAD: edit a user message
 * (or cut after any message with `?truncate=1`), delete a message, keep the old main branch as
 * `main-edit-N`, tell every client with `conversation_edited`, and refuse while generating.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { SseReader } from "../support/sse-client.js";
import { createModelBackedServer, type TestServer } from "../support/test-runtime.js";

interface WireMessage {
  role: string;
  content: string;
  files?: string[];
}

let model: FakeModelServer;
let server: TestServer;
let sessionId: string;
const readers: SseReader[] = [];

beforeAll(async () => {
  model = await startFakeModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(async () => {
  model.reset();
  server = createModelBackedServer(model.openaiBaseURL);
  const created = await server.call("/api/v2/conversations/chat", {
    method: "PUT",
    json: {
      prompt: "You are a test.",
      messages: [
        { role: "user", content: "first question" },
        { role: "assistant", content: "first answer" },
        { role: "user", content: "second question" },
        { role: "assistant", content: "second answer" },
      ],
    },
  });
  sessionId = (await created.json()).session_id;
});
afterEach(async () => {
  while (readers.length) await readers.pop()!.close();
  await server.close();
});

const base = "/api/v2/conversations/chat";
const log = async () => (await (await server.call(base)).json()).log as WireMessage[];
const indexOf = async (content: string) => (await log()).findIndex((message) => message.content === content);
const edit = (index: number | string, json: unknown, query = "") =>
  server.call(`${base}/messages/${index}${query}`, { method: "PATCH", json });
const remove = (index: number | string) => server.call(`${base}/messages/${index}`, { method: "DELETE" });
async function events() {
  const reader = new SseReader(await server.call(`${base}/events?session_id=${sessionId}`));
  readers.push(reader);
  await reader.nextType("connected");
  return reader;
}

describe("editing a message", () => {
  it("changes a user message, keeps the old branch as main-edit-0 and tells every client", async () => {
    const stream = await events();
    const before = await log();
    const index = await indexOf("first question");
    const response = await edit(index, { content: "better question" });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.log.map((message: WireMessage) => message.content)).toEqual(
      before.map((message) => (message.content === "first question" ? "better question" : message.content)),
    );
    expect(body.branches.main).toEqual(body.log);
    expect(body.branches["main-edit-0"]).toEqual(before);
    expect(body).toMatchObject({ id: "chat", logdir: server.runtime.conversations.directory("chat") });
    const edited = await stream.nextType("conversation_edited");
    expect(edited.data).toEqual({ type: "conversation_edited", index, truncated: false, log: body.log, branches: body.branches });
    expect(await log()).toEqual(body.log);
  });

  it("cuts everything after the edited message with ?truncate=1, and numbers backups", async () => {
    const index = await indexOf("first question");
    await edit(index, { content: "edited once" });
    const response = await edit(index, { content: "edited twice" }, "?truncate=1");
    const body = await response.json();
    expect(body.log.at(-1)).toMatchObject({ role: "user", content: "edited twice" });
    expect(body.log).toHaveLength(index + 1);
    expect(Object.keys(body.branches)).toEqual(["main", "main-edit-0", "main-edit-1"]);
    expect(body.branches["main-edit-1"].at(-1).content).toBe("second answer");
  });

  it("truncates after any message without changing it, as the web UI's rerun and regenerate do", async () => {
    const index = await indexOf("first answer");
    const response = await edit(index, {}, "?truncate=1");
    expect(response.status).toBe(200);
    expect((await log()).at(-1)).toMatchObject({ role: "assistant", content: "first answer" });
  });

  it("edits a message's files with the same checks as a posted message", async () => {
    const index = await indexOf("second question");
    const refused = await edit(index, { files: ["file:///etc/passwd"] });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: "file:// URIs are not supported for message attachments" });
    for (const file of ["/etc/passwd", "../outside.txt"]) expect((await edit(index, { files: [file] })).status, file).toBe(400);
    expect((await log())[index]!.files).toBeUndefined();
    const uri = "https://example.com/image.png";
    const kept = await edit(index, { files: [uri, "attachments/ok.txt"] });
    expect((await kept.json()).log[index].files).toEqual([uri, "attachments/ok.txt"]);
    expect((await log())[index]!.files).toEqual([uri, "attachments/ok.txt"]);
  });

  it("answers gptme's errors", async () => {
    const user = await indexOf("first question");
    const assistant = await indexOf("first answer");
    const cases: Array<[Promise<Response>, number, string]> = [
      [edit(user, {}), 400, "content or files is required"],
      [edit(user, { content: "  " }), 400, "content or files is required"],
      [edit(user, { content: "first question" }), 400, "No changes requested"],
      [edit(assistant, { content: "rewritten" }), 400, "Can only edit user messages"],
      [edit(user, { content: 5 }), 400, "content must be a string"],
      [edit(user, { files: "a.png" }), 400, "files must be a list of strings"],
      [edit(99, { content: "x" }), 404, `Message index 99 out of range (0-${(await log()).length - 1})`],
      [server.call("/api/v2/conversations/missing/messages/0", { method: "PATCH", json: { content: "x" } }), 404, "Conversation not found: missing"],
    ];
    for (const [response, status, error] of cases) {
      const answer = await response;
      expect([answer.status, (await answer.json()).error]).toEqual([status, error]);
    }
    for (const index of ["abc", "-1", "1.5"]) {
      const answer = await edit(index, { content: "x" });
      expect(answer.status, index).toBe(404);
      expect((await answer.json()).error).toBeTruthy();
    }
    expect(Object.keys((await (await server.call(base)).json()).branches)).toEqual(["main"]);
  });
});

describe("deleting a message", () => {
  it("removes a message, keeping the old branch, and tells every client", async () => {
    const stream = await events();
    const before = await log();
    const index = await indexOf("second answer");
    const response = await remove(index);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.log.map((message: WireMessage) => message.content)).toEqual(before.slice(0, index).map((message) => message.content));
    expect(body.branches["main-edit-0"]).toEqual(before);
    expect((await stream.nextType("conversation_edited")).data).toMatchObject({ index, truncated: false, log: body.log });
  });

  it("refuses system messages and deletions that leave two turns of one role together", async () => {
    const answer = async (response: Promise<Response>) => {
      const resolved = await response;
      return [resolved.status, (await resolved.json()).error];
    };
    expect(await answer(remove(0))).toEqual([400, "Cannot delete system messages"]);
    expect(await answer(remove(await indexOf("first answer")))).toEqual([
      400,
      "Deleting this message would create consecutive 'user' messages, which is not supported by LLM APIs",
    ]);
    expect(await answer(remove(99))).toEqual([404, `Message index 99 out of range (0-${(await log()).length - 1})`]);
    expect(Object.keys((await (await server.call(base)).json()).branches)).toEqual(["main"]);
  });
});

describe("while generating", () => {
  it("answers 409 to edits and deletions, and changes nothing", async () => {
    const stream = await events();
    model.enqueue({ text: "thinking...", hang: true });
    await server.call(`${base}/step`, { method: "POST", json: { session_id: sessionId } });
    await stream.nextType("generation_progress");
    const before = await log();
    const editing = await edit(await indexOf("first question"), { content: "changed" });
    expect([editing.status, (await editing.json()).error]).toEqual([409, "Cannot edit while generation is in progress"]);
    const truncating = await edit(1, {}, "?truncate=1");
    expect(truncating.status).toBe(409);
    const deleting = await remove(await indexOf("second answer"));
    expect([deleting.status, (await deleting.json()).error]).toEqual([409, "Cannot delete while generation is in progress"]);
    expect(await log()).toEqual(before);
    await server.call(`${base}/interrupt`, { method: "POST", json: { session_id: sessionId } });
  });
});
