import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { SseReader } from "../support/sse-client.js";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let model: FakeModelServer;
let server: TestServer;
const readers: SseReader[] = [];

beforeAll(async () => {
  model = await startFakeModelServer();
});
afterAll(async () => {
  await model.close();
});
beforeEach(() => {
  model.reset();
  server = createTestServer({
    modelBaseURLs: { openai: model.openaiBaseURL, anthropic: model.anthropicBaseURL },
    userConfigPath: null,
  });
});
afterEach(async () => {
  while (readers.length) await readers.pop()!.close();
  await server.close();
});

const post = (path: string, json: unknown) => server.call(path, { method: "POST", json });
const settings = async () => (await server.call("/api/v2/user/settings")).json();

/** Every GET a client might use to look at settings; none may contain the key. */
async function everythingVisible(): Promise<string> {
  const paths = [
    "/api/v2/user",
    "/api/v2/user/settings",
    "/api/v2/user/config-file",
    "/api/v2/models",
    "/api/v2/providers/health?force=1",
    "/api/v2",
    "/api/v2/server/health",
    "/api/docs/openapi.json",
  ];
  const bodies = await Promise.all(paths.map(async (path) => (await server.call(path)).text()));
  return bodies.join("\n");
}

async function runGeneration(id: string) {
  const created = await server.call(`/api/v2/conversations/${id}`, { method: "PUT", json: { messages: [{ role: "user", content: "hello" }] } });
  const sessionId = (await created.json()).session_id;
  const reader = new SseReader(await server.call(`/api/v2/conversations/${id}/events?session_id=${sessionId}`));
  readers.push(reader);
  await reader.nextType("connected");
  const step = await server.call(`/api/v2/conversations/${id}/step`, { method: "POST", json: { session_id: sessionId } });
  expect(step.status).toBe(200);
  await reader.nextType("generation_complete");
  return model.requests.filter((request) => request.path === "/v1/chat/completions").at(-1)!;
}

describe("user identity and settings", () => {
  it("answers gptme's defaults before anything is set", async () => {
    expect(await (await server.call("/api/v2/user")).json()).toEqual({ name: "User", avatar: null });
    const view = await settings();
    expect(view).toMatchObject({ providers_configured: [], provider_sources: {}, default_model: null, default_model_source: null });
    expect(view.config_files).toMatchObject({ write_target: join(server.directory, "gptme.db"), local_config_exists: false });
    const avatar = await server.call("/api/v2/user/avatar");
    expect(avatar.status).toBe(404);
    expect(await avatar.json()).toEqual({ error: "No avatar configured" });
  });
});

describe("provider keys", () => {
  it("checks a key with the provider, stores it, and uses it for the next generation, without ever sending it back", async () => {
    const saved = await post("/api/v2/user/api-key", { provider: "openai", api_key: " sk-live-key-1 ", model: "openai/gpt-test" });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ status: "ok", provider: "openai", env_var: "OPENAI_API_KEY", restart_required: false });
    const check = model.requests.find((request) => request.path === "/v1/models")!;
    expect(check.headers.authorization).toBe("Bearer sk-live-key-1");

    const view = await settings();
    expect(view).toMatchObject({
      providers_configured: ["openai"],
      provider_sources: { openai: { auth_source: "OPENAI_API_KEY", effective_source: "settings" } },
      default_model: "openai/gpt-test",
      default_model_source: "settings",
    });
    expect(await everythingVisible()).not.toContain("sk-live-key-1");

    const request = await runGeneration("with-key");
    expect(request.headers.authorization).toBe("Bearer sk-live-key-1");
    expect(request.body.model).toBe("gpt-test");
  });

  it("refuses a key the provider rejects (422) and keeps the previous one", async () => {
    await post("/api/v2/user/api-key", { provider: "openai", api_key: "sk-good" });
    model.rejectKey("sk-bad");
    const rejected = await post("/api/v2/user/api-key", { provider: "openai", api_key: "sk-bad" });
    expect(rejected.status).toBe(422);
    expect((await rejected.json()).error).toMatch(/^Invalid openai API key/);
    await post("/api/v2/user/default-model", { model: "openai/gpt-test" });
    const request = await runGeneration("kept-key");
    expect(request.headers.authorization).toBe("Bearer sk-good");
  });

  it("saves with a warning when the provider cannot be reached, and without a check when asked", async () => {
    const unreachable = createTestServer({ modelBaseURLs: { anthropic: "http://127.0.0.1:9" }, userConfigPath: null });
    try {
      const saved = await unreachable.call("/api/v2/user/api-key", { method: "POST", json: { provider: "anthropic", api_key: "sk-ant-x" } });
      expect(saved.status).toBe(200);
      expect((await saved.json()).warning).toMatch(/^Could not check the key with anthropic/);
      expect((await (await unreachable.call("/api/v2/user/settings")).json()).providers_configured).toEqual(["anthropic"]);
    } finally {
      await unreachable.close();
    }
    const before = model.requests.length;
    const skipped = await post("/api/v2/user/api-key", { provider: "openai", api_key: "sk-unchecked", skip_validation: true });
    expect(skipped.status).toBe(200);
    expect(model.requests.length).toBe(before);
  });

  it("validates the body with gptme's messages", async () => {
    const cases: Array<[unknown, string]> = [
      [{ provider: 1, api_key: "k" }, "provider must be a string"],
      [{ provider: "openai" }, "api_key must be a string"],
      [{ provider: "openai", api_key: "k", model: 3 }, "model must be a string (e.g. 'gpt-4', 'claude-sonnet-4-5-20250929')"],
      [{ provider: "openai", api_key: "k", skip_validation: "yes" }, "skip_validation must be a boolean"],
      [{ provider: "bogus", api_key: "sk-test" }, "Unknown provider: bogus"],
      [{ provider: "anthropic", api_key: "sk-ant", model: "openai/gpt-4.1" }, "Model openai/gpt-4.1 does not match provider anthropic"],
      [{ provider: "openai", api_key: "   " }, "API key is empty"],
      [{ provider: "openai", api_key: "sk\u0007x" }, "API key contains control characters"],
    ];
    for (const [body, error] of cases) {
      const response = await post("/api/v2/user/api-key", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json()).toEqual({ error });
    }
    expect((await settings()).providers_configured).toEqual([]);
  });
});

describe("default model and favourites", () => {
  it("sets the default model for the next generation, kept across restarts", async () => {
    await post("/api/v2/user/api-key", { provider: "openai", api_key: "sk-1", skip_validation: true });
    const bad = await post("/api/v2/user/default-model", { model: "anthropic" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "model must be fully qualified as provider/model" });
    expect(await (await post("/api/v2/user/default-model", { model: 5 })).json()).toEqual({
      error: "model must be a string (e.g. 'gpt-4', 'claude-sonnet-4-5-20250929')",
    });

    const saved = await post("/api/v2/user/default-model", { model: "openai/gpt-next" });
    expect(await saved.json()).toEqual({ status: "ok", model: "openai/gpt-next", restart_required: false });
    expect((await (await server.call("/api/v2/models")).json()).default).toBe("openai/gpt-next");
    expect((await runGeneration("next-default")).body.model).toBe("gpt-next");

    await server.runtime.store.close();
    const reopened = createTestServer({ databasePath: join(server.directory, "gptme.db"), userConfigPath: null });
    try {
      const view = await (await reopened.call("/api/v2/user/settings")).json();
      expect(view).toMatchObject({ default_model: "openai/gpt-next", providers_configured: ["openai"] });
    } finally {
      await reopened.close();
    }
  });

  it("cleans and stores favourites; /models lists those available", async () => {
    await post("/api/v2/user/api-key", { provider: "openai", api_key: "sk-1", skip_validation: true });
    const saved = await post("/api/v2/user/favorites", { favorites: [" openai/gpt-5 ", "openai/gpt-5", "no-slash", "x/\u0001", "groq/llama-3.1-8b-instant"] });
    expect(await saved.json()).toEqual({ status: "ok", favorites: ["openai/gpt-5", "groq/llama-3.1-8b-instant"] });
    const models = await (await server.call("/api/v2/models")).json();
    expect(models.favorites).toEqual(["openai/gpt-5"]);
    expect(models.recommended).toEqual(["openai/gpt-5"]);
    expect(await (await post("/api/v2/user/favorites", { favorites: "openai/gpt-5" })).json()).toEqual({ error: "favorites must be a list of strings" });
  });

  it("rejects non-object bodies on the settings routes", async () => {
    for (const path of ["/api/v2/user/api-key", "/api/v2/user/default-model", "/api/v2/user/favorites"]) {
      const response = await server.call(path, { method: "POST", body: "[1,2]", headers: { "content-type": "application/json" } });
      expect(response.status, path).toBe(400);
      expect((await response.json()).error.toLowerCase()).toContain("object");
    }
  });
});

describe("the config-file view", () => {
  it("shows config.toml with secrets redacted, takes known keys by PATCH, and does not rewrite the file", async () => {
    const home = join(server.directory, "home");
    const configDirectory = join(home, ".config", "gptme");
    mkdirSync(configDirectory, { recursive: true });
    writeFileSync(join(configDirectory, "config.toml"), '[env]\nOPENAI_API_KEY = "sk-from-file"\nMODEL = "openai/gpt-5"\n');
    const withFile = createTestServer({
      env: { HOME: home, PATH: process.env.PATH },
      modelBaseURLs: { openai: model.openaiBaseURL },
      userConfigPath: join(configDirectory, "config.toml"),
    });
    try {
      const view = await (await withFile.call("/api/v2/user/config-file")).json();
      expect(view.content).toBe('[env]\nOPENAI_API_KEY = "***"\nMODEL = "openai/gpt-5"\n');
      expect(view.path).toBe(join(configDirectory, "config.toml"));
      const settingsView = await (await withFile.call("/api/v2/user/settings")).json();
      expect(settingsView.provider_sources.openai.effective_source).toBe("config.toml");
      expect(settingsView.default_model_source).toBe("config.toml");

      const put = await withFile.call("/api/v2/user/config-file", { method: "PUT", json: { content: "[env]\n" } });
      expect(put.status).toBe(501);
      const patch = await withFile.call("/api/v2/user/config-file", { method: "PATCH", json: { key: "models.default", value: "openai/gpt-5-mini" } });
      expect(patch.status).toBe(200);
      expect(await patch.json()).toMatchObject({ status: "ok", key: "models.default" });
      expect((await (await withFile.call("/api/v2/models")).json()).default).toBe("openai/gpt-5-mini");
      const dotted = await withFile.call("/api/v2/user/config-file", { method: "PATCH", json: { key: "env..MODEL", value: "x" } });
      expect(dotted.status).toBe(400);
      expect((await dotted.json()).error).toContain("dotted path");
      const other = await withFile.call("/api/v2/user/config-file", { method: "PATCH", json: { key: "lessons.enabled", value: true } });
      expect(other.status).toBe(400);
      expect(await everythingVisibleOn(withFile)).not.toContain("sk-from-file");
    } finally {
      await withFile.close();
    }
  });
});

async function everythingVisibleOn(target: TestServer): Promise<string> {
  const bodies = await Promise.all(
    ["/api/v2/user/config-file", "/api/v2/user/settings", "/api/v2/models", "/api/v2/providers/health?force=1"].map(async (path) => (await target.call(path)).text()),
  );
  return bodies.join("\n");
}
