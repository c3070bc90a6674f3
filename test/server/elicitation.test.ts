import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SseReader } from "../support/sse-client.js";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
const readers: SseReader[] = [];

beforeEach(async () => {
  server = createTestServer();
  for (const id of ["asks", "other"]) {
    expect((await server.call(`/api/v2/conversations/${id}`, { method: "PUT", json: {} })).status).toBe(200);
  }
});
afterEach(async () => {
  while (readers.length) await readers.pop()!.close();
  await server.close();
});

async function events(id: string) {
  const reader = new SseReader(await server.call(`/api/v2/conversations/${id}/events`));
  readers.push(reader);
  return { reader, connected: await reader.nextType("connected") };
}

const respond = (id: string, body: unknown) => server.call(`/api/v2/conversations/${id}/elicit/respond`, { method: "POST", json: body });

describe("elicitation: the agent asks, a client answers", () => {
  it("announces the question, lists it on connect, and resolves the asker with the answer", async () => {
    const { reader } = await events("asks");
    const answer = server.runtime.elicitations.ask("asks", {
      type: "choice",
      prompt: "Which framework?",
      options: ["FastAPI", "Flask"],
      description: "for the new service",
    });
    const pending = await reader.nextType("elicit_pending");
    expect(pending.data).toEqual({
      type: "elicit_pending",
      elicit_id: expect.any(String),
      elicit_type: "choice",
      prompt: "Which framework?",
      options: ["FastAPI", "Flask"],
      description: "for the new service",
    });
    const id = pending.data.elicit_id as string;

    const late = await events("asks");
    expect(late.connected.data.pending_elicitations).toEqual([pending.data]);

    const response = await respond("asks", { elicit_id: id, action: "accept", value: "Flask" });
    expect(await response.json()).toEqual({ status: "ok", message: "Elicitation accepted" });
    expect(await answer).toEqual({ action: "accept", value: "Flask", values: null, cancelled: false, sensitive: false });
    expect(server.runtime.elicitations.pending("asks")).toEqual([]);

    const again = await respond("asks", { elicit_id: id, action: "accept", value: "FastAPI" });
    expect(again.status).toBe(404);
  });

  it("passes multi-choice values, declines and cancels, and keeps secrets marked sensitive", async () => {
    const multi = server.runtime.elicitations.ask("asks", { type: "multi_choice", prompt: "Pick", options: ["a", "b", "c"] });
    const secret = server.runtime.elicitations.ask("asks", { type: "secret", prompt: "Token?" });
    const confirm = server.runtime.elicitations.ask("asks", { type: "confirmation", prompt: "Go on?" });
    const [multiId, secretId, confirmId] = server.runtime.elicitations.pending("asks").map((event) => event.elicit_id);
    await respond("asks", { elicit_id: multiId, action: "accept", values: ["a", "c"] });
    await respond("asks", { elicit_id: secretId, action: "accept", value: "hunter2" });
    await respond("asks", { elicit_id: confirmId, action: "decline" });
    expect(await multi).toMatchObject({ action: "accept", values: ["a", "c"], value: null });
    expect(await secret).toMatchObject({ action: "accept", value: "hunter2", sensitive: true });
    expect(await confirm).toMatchObject({ action: "decline", value: null, cancelled: false });

    const cancelled = server.runtime.elicitations.ask("asks", { type: "text", prompt: "Name?" });
    await respond("asks", { elicit_id: server.runtime.elicitations.pending("asks")[0]!.elicit_id, action: "cancel" });
    expect(await cancelled).toMatchObject({ action: "cancel", cancelled: true });
  });

  it("answers only on the conversation that asked", async () => {
    const asked = server.runtime.elicitations.ask("asks", { type: "text", prompt: "Name?" });
    const id = server.runtime.elicitations.pending("asks")[0]!.elicit_id;
    const elsewhere = await respond("other", { elicit_id: id, action: "accept", value: "mallory" });
    expect(elsewhere.status).toBe(404);
    expect((await elsewhere.json()).error).toMatch(/^Elicitation not found/);
    await respond("asks", { elicit_id: id, action: "accept", value: "alice" });
    expect((await asked).value).toBe("alice");
  });

  it("cancels a question when its asker's signal aborts (an interrupt) or the conversation is deleted", async () => {
    const controller = new AbortController();
    const interrupted = server.runtime.elicitations.ask("asks", { type: "text", prompt: "Wait?" }, { signal: controller.signal });
    controller.abort();
    expect(await interrupted).toMatchObject({ cancelled: true });

    const orphaned = server.runtime.elicitations.ask("other", { type: "text", prompt: "Still there?" });
    expect((await server.call("/api/v2/conversations/other", { method: "DELETE" })).status).toBe(200);
    expect(await orphaned).toMatchObject({ cancelled: true });
  });

  it("validates the answer with gptme's messages, in gptme's order", async () => {
    const cases: Array<[unknown, string]> = [
      [{ action: "accept" }, "elicit_id and action are required"],
      [{ elicit_id: "x" }, "elicit_id and action are required"],
      [{ elicit_id: "x", action: "" }, "elicit_id and action are required"],
      [{ elicit_id: ["boom"], action: "accept" }, "elicit_id must be a string"],
      [{ elicit_id: 0, action: "accept" }, "elicit_id must be a string"],
      [{ elicit_id: false, action: "accept" }, "elicit_id must be a string"],
      [{ elicit_id: "   ", action: "accept" }, "elicit_id must not be blank"],
      [{ elicit_id: " id ", action: "accept" }, "elicit_id must not contain leading or trailing whitespace"],
      [{ elicit_id: "x", action: "invalid" }, "Unknown action: invalid. Must be accept, decline, or cancel"],
      [{ elicit_id: "x", action: "accept", values: [1] }, "values must be a list of strings"],
    ];
    for (const [body, error] of cases) {
      const response = await respond("asks", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json()).toEqual({ error });
    }
    expect((await respond("missing", { elicit_id: "x", action: "accept" })).status).toBe(404);
    expect((await respond("asks", { elicit_id: "never-asked", action: "accept" })).status).toBe(404);
  });
});
