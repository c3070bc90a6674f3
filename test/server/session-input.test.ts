/**
 * The session routes check their input before looking anything up, with gptme HEAD's messages:
 * a whitespace or non-string `session_id` is a 400 (not a 404 from a lookup), and the field is
 * named once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
let sessionId: string;

beforeEach(async () => {
  server = createTestServer();
  const created = await server.call("/api/v2/conversations/input", { method: "PUT", json: {} });
  sessionId = (await created.json()).session_id;
});
afterEach(async () => {
  await server.close();
});

async function post(path: string, json: unknown) {
  const response = await server.call(path, { method: "POST", json });
  return { status: response.status, body: await response.json() };
}

const whitespace = ["   ", "\t", "\n", " \t\n "];
const nonStrings: unknown[] = [["boom"], { boom: 1 }, 0, false];

describe("step", () => {
  it("answers 400 'session_id is required' to a missing, null or whitespace session_id", async () => {
    for (const value of [undefined, null, ...whitespace]) {
      const answer = await post("/api/v2/conversations/input/step", { session_id: value });
      expect(answer, JSON.stringify(value)).toEqual({ status: 400, body: { error: "session_id is required" } });
    }
  });

  it("answers 400 'session_id must be a string' to other types", async () => {
    for (const value of nonStrings) {
      const answer = await post("/api/v2/conversations/input/step", { session_id: value });
      expect(answer, JSON.stringify(value)).toEqual({ status: 400, body: { error: "session_id must be a string" } });
    }
  });

  it("still answers 404 for an unknown session", async () => {
    expect((await post("/api/v2/conversations/input/step", { session_id: "nope" })).status).toBe(404);
  });
});

describe("interrupt", () => {
  it("validates session_id before looking up the conversation or the session", async () => {
    for (const conversation of ["input", "missing"]) {
      for (const value of [undefined, ...whitespace]) {
        const answer = await post(`/api/v2/conversations/${conversation}/interrupt`, value === undefined ? {} : { session_id: value });
        expect(answer, `${conversation} ${JSON.stringify(value)}`).toEqual({ status: 400, body: { error: "session_id is required" } });
      }
      for (const value of nonStrings) {
        const answer = await post(`/api/v2/conversations/${conversation}/interrupt`, { session_id: value });
        expect(answer.body.error).toBe("session_id must be a string");
      }
    }
  });

  it("answers 404 to an unknown session and 200 to its own idle one", async () => {
    expect((await post("/api/v2/conversations/input/interrupt", { session_id: "nope" })).status).toBe(404);
    expect(await post("/api/v2/conversations/input/interrupt", { session_id: sessionId })).toEqual({
      status: 200,
      body: { status: "ok", message: "Already interrupted or not generating" },
    });
  });
});

describe("tool confirm", () => {
  it("validates every field before looking up the conversation, the session or the tool", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ session_id: "   ", tool_id: "t", action: "confirm" }, "session_id must be a non-empty string"],
      [{ session_id: 5, tool_id: "t", action: "confirm" }, "session_id must be a string"],
      [{ action: "confirm" }, "tool_id is required"],
      [{ tool_id: " ", action: "confirm" }, "tool_id is required"],
      [{ tool_id: 1, action: "confirm" }, "tool_id must be a string"],
      [{ tool_id: "t" }, "action is required"],
      [{ tool_id: "t", action: false }, "action must be a string"],
      [{ tool_id: "t", action: "explode" }, "Unknown action: explode"],
    ];
    for (const conversation of ["input", "missing"]) {
      for (const [json, error] of cases) {
        const answer = await post(`/api/v2/conversations/${conversation}/tool/confirm`, json);
        expect(answer, `${conversation} ${JSON.stringify(json)}`).toEqual({ status: 400, body: { error } });
      }
    }
  });

  it("answers 404 once the input is valid but nothing is pending", async () => {
    const answer = await post("/api/v2/conversations/input/tool/confirm", { session_id: sessionId, tool_id: "t", action: "confirm" });
    expect(answer.status).toBe(404);
  });
});

describe("a session of another conversation", () => {
  it("answers 403 with gptme's message on every session route", async () => {
    await server.call("/api/v2/conversations/other", { method: "PUT", json: {} });
    const error = `Session ${sessionId} does not belong to conversation other`;
    for (const [path, json] of [
      ["step", { session_id: sessionId }],
      ["interrupt", { session_id: sessionId }],
      ["tool/confirm", { session_id: sessionId, tool_id: "t", action: "confirm" }],
      ["rerun", { session_id: sessionId }],
    ] as const) {
      expect(await post(`/api/v2/conversations/other/${path}`, json), path).toEqual({ status: 403, body: { error } });
    }
  });
});
