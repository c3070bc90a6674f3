import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ModelConfigurationError } from "../../runtime/errors.js";
import { createModelRegistry } from "../../runtime/models/registry.js";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { collect, fastRetry, message, textOf } from "./helpers.js";

const temporaryDirectories: string[] = [];
afterEach(() => {
  for (const directory of temporaryDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** A config directory holding the given files; returns the config.toml path. */
function userConfig(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), "gptme-models-"));
  temporaryDirectories.push(directory);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return join(directory, "config.toml");
}

/** A registry that reads no user config unless given one. */
function registry(env: Record<string, string>, extra: { userConfigPath?: string | null; flagModel?: string } = {}) {
  return createModelRegistry({ env, userConfigPath: null, retry: fastRetry, ...extra });
}

function resolveError(action: () => unknown): ModelConfigurationError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelConfigurationError);
    return error as ModelConfigurationError;
  }
  throw new Error("expected a ModelConfigurationError");
}

describe("default model", () => {
  it("takes the flag over MODEL, and MODEL over the first provider with a key", () => {
    const env = { OPENAI_API_KEY: "sk-1", ANTHROPIC_API_KEY: "sk-ant-1", MODEL: "anthropic/claude-haiku-4-5" };
    expect(registry(env, { flagModel: "openai/gpt-4o" }).defaultModel()).toBe("openai/gpt-4o");
    expect(registry(env).defaultModel()).toBe("anthropic/claude-haiku-4-5");
  });

  it("picks the first provider with a key in gptme's order, with its recommended model", () => {
    expect(registry({ OPENAI_API_KEY: "sk-1", ANTHROPIC_API_KEY: "sk-ant-1" }).defaultModel()).toBe("openai/gpt-5");
    expect(registry({ DEEPSEEK_API_KEY: "d", GROQ_API_KEY: "g" }).defaultModel()).toBe("groq/llama-3.3-70b-versatile");
    expect(registry({ ANTHROPIC_API_KEY: "sk-ant-1" }).defaultModel()).toBe("anthropic/claude-sonnet-4-6");
  });

  it("expands a bare provider name to its recommended model", () => {
    expect(registry({ GEMINI_API_KEY: "g" }, { flagModel: "gemini" }).defaultModel()).toBe("gemini/gemini-2.5-pro");
    expect(registry({ XAI_API_KEY: "x" }).resolve("xai").id).toBe("xai/grok-4");
  });

  it("is null with no provider configured, and resolve() names the variables to set", () => {
    const models = registry({ PATH: "/usr/bin" });
    expect(models.providerConfigured()).toBe(false);
    expect(models.defaultModel()).toBeNull();
    expect(models.list()).toEqual([]);
    const error = resolveError(() => models.resolve());
    expect(error.message).toMatch(/^No model provider is configured: set OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENROUTER_API_KEY, GEMINI_API_KEY, GROQ_API_KEY, XAI_API_KEY or DEEPSEEK_API_KEY/);
    expect(error.message).toContain("--model local/<model> with OPENAI_BASE_URL");
    expect(error.status).toBe(503);
    expect(models.keyEnvironmentVariables()).toEqual([
      "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENROUTER_API_KEY", "GEMINI_API_KEY", "GROQ_API_KEY", "XAI_API_KEY", "DEEPSEEK_API_KEY", "OPENAI_BASE_URL",
    ]);
  });
});

describe("resolve", () => {
  it("resolves provider/model, OpenRouter's vendor/model and a bare known model name", () => {
    const models = registry({ OPENAI_API_KEY: "sk-1", OPENROUTER_API_KEY: "or" });
    expect(models.resolve("openai/gpt-4o")).toMatchObject({ id: "openai/gpt-4o", provider: "openai", model: "gpt-4o" });
    expect(models.resolve("openrouter/anthropic/claude-sonnet-4.6")).toMatchObject({ provider: "openrouter", model: "anthropic/claude-sonnet-4.6" });
    expect(models.resolve("gpt-4o-mini").id).toBe("openai/gpt-4o-mini");
    expect(models.resolve("")).toBe(models.resolve("openai/gpt-5"));
  });

  it("names the missing key of a provider that is not configured", () => {
    const error = resolveError(() => registry({ OPENAI_API_KEY: "sk-1" }).resolve("anthropic/claude-sonnet-4-6"));
    expect(error.message).toContain("ANTHROPIC_API_KEY is not set");
  });

  it("rejects unknown providers and models with a readable message", () => {
    const models = registry({ OPENAI_API_KEY: "sk-1" });
    expect(resolveError(() => models.resolve("acme/model-1")).message).toBe(
      'Unknown model provider "acme" in "acme/model-1": use one of openai, anthropic, openrouter, gemini, groq, xai, deepseek, local',
    );
    expect(resolveError(() => models.resolve("mystery-model")).message).toMatch(/^Unknown model "mystery-model": write it as <provider>\/<model>/);
    expect(resolveError(() => registry({ OPENAI_BASE_URL: "http://x" }).resolve("local")).message).toContain("local/<model>");
  });

  it("needs OPENAI_BASE_URL for local models", () => {
    expect(resolveError(() => registry({ OPENAI_API_KEY: "sk-1" }).resolve("local/llama3")).message).toContain("OPENAI_BASE_URL is not set");
  });
});

describe("list", () => {
  it("lists the known models of configured providers only, with prices and flags", () => {
    const list = registry({ ANTHROPIC_API_KEY: "sk-ant-1" }).list();
    expect(new Set(list.map((entry) => entry.provider))).toEqual(new Set(["anthropic"]));
    expect(list.find((entry) => entry.id === "anthropic/claude-sonnet-4-6")).toEqual({
      id: "anthropic/claude-sonnet-4-6",
      provider: "anthropic",
      model: "claude-sonnet-4-6",
      context: 200_000,
      max_output: 64_000,
      supports_streaming: true,
      supports_vision: true,
      supports_reasoning: true,
      price_input: 3,
      price_output: 15,
    });
  });

  it("lists the local model named by MODEL", () => {
    const list = registry({ OPENAI_BASE_URL: "http://127.0.0.1:9/v1", MODEL: "local/qwen3" }).list();
    expect(list.map((entry) => entry.id)).toEqual(["local/qwen3"]);
    expect(list[0]).toMatchObject({ price_input: 0, context: 128_000 });
  });

  it("prices usage through cost()", () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };
    expect(registry({}).cost("openai/gpt-4o", usage)).toBe(2.5);
    expect(registry({}).cost("local/qwen3", usage)).toBe(0);
  });
});

describe("user config", () => {
  it("reads keys and MODEL from [env], with config.local.toml winning and the environment first", () => {
    const path = userConfig({
      "config.toml": '[env]\nANTHROPIC_API_KEY = "from-config"\nMODEL = "anthropic/claude-haiku-4-5"\n',
      "config.local.toml": '[env]\nMODEL = "anthropic/claude-opus-4-6"\n',
    });
    const models = createModelRegistry({ env: {}, userConfigPath: path });
    expect(models.providerConfigured()).toBe(true);
    expect(models.defaultModel()).toBe("anthropic/claude-opus-4-6");
    expect(createModelRegistry({ env: { MODEL: "anthropic" }, userConfigPath: path }).defaultModel()).toBe("anthropic/claude-sonnet-4-6");
  });

  it("uses [models] default when MODEL is not set", () => {
    const path = userConfig({ "config.toml": '[env]\nGROQ_API_KEY = "g"\n[models]\ndefault = "groq/llama-3.1-8b-instant"\n' });
    expect(createModelRegistry({ env: {}, userConfigPath: path }).defaultModel()).toBe("groq/llama-3.1-8b-instant");
  });

  it("finds ~/.config/gptme/config.toml under HOME by default", () => {
    const home = mkdtempSync(join(tmpdir(), "gptme-home-"));
    temporaryDirectories.push(home);
    mkdirSync(join(home, ".config", "gptme"), { recursive: true });
    writeFileSync(join(home, ".config", "gptme", "config.toml"), '[env]\nXAI_API_KEY = "x"\n');
    expect(createModelRegistry({ env: { HOME: home } }).defaultModel()).toBe("xai/grok-4");
  });

  it("reports a malformed config with its path and line instead of crashing", () => {
    const path = userConfig({ "config.toml": '[env]\nOPENAI_API_KEY = "unterminated\n' });
    const error = resolveError(() => createModelRegistry({ env: {}, userConfigPath: path }));
    expect(error.message).toMatch(new RegExp(`^Cannot read ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(line 2, column \\d+\\): Invalid TOML`));
  });
});

describe("resolved models talk to the configured base URL", () => {
  let server: FakeModelServer;
  beforeAll(async () => {
    server = await startFakeModelServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("local/<model> streams from OPENAI_BASE_URL with a dummy key", async () => {
    server.enqueue({ text: "local reply" });
    const model = registry({ OPENAI_BASE_URL: server.openaiBaseURL }).resolve("local/qwen3");
    const parts = await collect(model.stream({ messages: [message("user", "hi")] }));
    expect(textOf(parts)).toBe("local reply");
    const request = server.requests.at(-1);
    expect(request?.body.model).toBe("qwen3");
    expect(request?.headers.authorization).toBe("Bearer ollama");
  });

  it("anthropic honours ANTHROPIC_BASE_URL", async () => {
    server.enqueue({ text: "anthropic reply" });
    const model = registry({ ANTHROPIC_API_KEY: "sk-ant-1", ANTHROPIC_BASE_URL: server.anthropicBaseURL }).resolve("anthropic");
    const parts = await collect(model.stream({ messages: [message("user", "hi")] }));
    expect(textOf(parts)).toBe("anthropic reply");
    expect(server.requests.at(-1)?.body).toMatchObject({ model: "claude-sonnet-4-6", max_tokens: 64_000 });
  });

  it("baseURLs replaces a hosted provider's URL", async () => {
    server.enqueue({ text: "openai reply" });
    const models = createModelRegistry({ env: { OPENAI_API_KEY: "sk-1" }, userConfigPath: null, baseURLs: { openai: server.openaiBaseURL } });
    const parts = await collect(models.resolve("openai/gpt-4o").stream({ messages: [message("user", "hi")], maxTokens: 50 }));
    expect(textOf(parts)).toBe("openai reply");
    expect(server.requests.at(-1)?.body.max_completion_tokens).toBe(50);
  });
});
