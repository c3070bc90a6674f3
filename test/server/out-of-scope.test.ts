import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
beforeAll(async () => {
  server = createTestServer();
  await server.call("/api/v2/conversations/exists", { method: "PUT", json: {} });
});
afterAll(async () => {
  await server.close();
});

describe("what the web UI asks for on every load answers empty lists, never 404", () => {
  it("answers the lists", async () => {
    const cases: Array<[string, unknown]> = [
      ["/api/v2/external-sessions?days=7", { sessions: [] }],
      ["/api/v2/skills", { skills: [] }],
      ["/api/v2/agents", []],
      ["/api/v2/conversations/exists/artifacts", { artifacts: [] }],
      ["/api/v2/conversations/exists/panels", { panels: [] }],
    ];
    for (const [path, body] of cases) {
      const response = await server.call(path);
      expect(response.status, path).toBe(200);
      expect(await response.json(), path).toEqual(body);
    }
    expect((await server.call("/api/v2/conversations/missing/artifacts")).status).toBe(404);
  });

  it("checks days as gptme does", async () => {
    for (const [path, error] of [
      ["/api/v2/external-sessions?days=-1", "days must be a positive integer"],
      ["/api/v2/external-sessions?days=abc", "days must be an integer"],
      ["/api/v2/external-sessions/some-id?days=0", "days must be a positive integer"],
    ]) {
      const response = await server.call(path!);
      expect(response.status, path).toBe(400);
      expect(await response.json()).toEqual({ error });
    }
    const detail = await server.call("/api/v2/external-sessions/some-id");
    expect(detail.status).toBe(404);
    expect(await detail.json()).toEqual({ error: "External session not found: some-id" });
  });
});

describe("actions of features gptme-ts does not have", () => {
  it("check their input as gptme does, then answer 501 saying what is missing", async () => {
    const agent = (json: unknown) => server.call("/api/v2/agents", { method: "PUT", json });
    expect(await (await agent({})).json()).toEqual({ error: "name is required" });
    expect(await (await agent({ name: 42 })).json()).toEqual({ error: "name must be a string" });
    expect(await (await agent({ name: "bot", template_repo: "x" })).json()).toEqual({ error: "template_branch is required" });
    const create = await agent({ name: "bot", template_repo: "https://example.com/t.git", template_branch: "main", fork_command: "./fork.sh" });
    expect(create.status).toBe(501);
    expect((await create.json()).error).toMatch(/not supported by gptme-ts/);

    const transcript = (json: unknown) => server.call("/api/v2/conversations/exists/transcript", { method: "POST", json });
    expect(await (await transcript({})).json()).toEqual({ error: "turns (list) is required" });
    expect(await (await transcript({ turns: [{ role: "user", text: 5 }], call_metadata: { call_sid: "a" } })).json()).toEqual({
      error: "turns[0].text must be a string",
    });
    expect((await transcript({ turns: [{ role: "user", text: "hi" }], call_metadata: { call_sid: "a" } })).status).toBe(501);

    const noFile = await server.call("/api/v2/audio/transcriptions", { method: "POST", body: new FormData() });
    expect(noFile.status).toBe(400);
    expect(await noFile.json()).toEqual({ error: "No audio file provided" });
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array([1, 2, 3])]), "clip.exe");
    const badFormat = await server.call("/api/v2/audio/transcriptions", { method: "POST", body: form });
    expect(badFormat.status).toBe(400);
    expect((await badFormat.json()).error).toMatch(/^Unsupported audio format/);
    const good = new FormData();
    good.append("file", new Blob([new Uint8Array([1, 2, 3])]), "clip.wav");
    expect((await server.call("/api/v2/audio/transcriptions", { method: "POST", body: good })).status).toBe(501);
    expect((await server.call("/api/v2/audio/speech", { method: "POST", json: { text: "hi" } })).status).toBe(501);
  });
});
