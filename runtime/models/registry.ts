/** The model registry: which providers have keys, the model list, default-model resolution, costs. */
import { join } from "node:path";
import { configDirectory } from "../config/paths.js";
import { ModelConfigurationError } from "../errors.js";
import { createAnthropicModel } from "./anthropic.js";
import type { LanguageModel, ModelInfo, ModelRegistry, SettingSource } from "./model.js";
import { createOpenAIModel } from "./openai.js";
import { costOf, priceOf } from "./pricing.js";
import { describeModel, findProvider, providers, type Provider, type ProviderName } from "./providers.js";
import type { RetryOptions } from "./retry.js";
import { readUserModelConfig } from "./user-config.js";

export interface ModelRegistryOptions {
  env: Record<string, string | undefined>;
  /** Default `$XDG_CONFIG_HOME/gptme/config.toml` (else `~/.config/gptme/...`); null reads no file. */
  userConfigPath?: string | null;
  /** `--model`. */
  flagModel?: string | null;
  retry?: RetryOptions;
  /** Replaces a provider's base URL (proxies, tests); `local` still comes from `OPENAI_BASE_URL`. */
  baseURLs?: Partial<Record<ProviderName, string>>;
  /**
   * Settings made through the API (user settings): their keys and default model win over the
   * environment and the config files, as gptme applies them to the running process.
   */
  overrides?: () => { env: Record<string, string>; defaultModel: string | null };
}

const localBaseVariables = ["OPENAI_BASE_URL", "OPENAI_API_BASE"];

/**
 * Settings are read from the environment first, then from `[env]` of the user config (gptme's
 * order). Throws `ModelConfigurationError` when the user config is malformed.
 */
export function createModelRegistry(options: ModelRegistryOptions): ModelRegistry {
  const configPath = options.userConfigPath === undefined
    ? join(configDirectory(options.env as NodeJS.ProcessEnv), "config.toml")
    : options.userConfigPath;
  const config = configPath ? readUserModelConfig(configPath) : { env: {}, defaultModel: null };
  const overrides = () => options.overrides?.() ?? { env: {}, defaultModel: null };
  const setting = (name: string): string | undefined =>
    overrides().env[name]?.trim() || options.env[name]?.trim() || config.env[name]?.trim() || undefined;
  const settingSource = (name: string): SettingSource => {
    if (overrides().env[name]?.trim()) return "settings";
    if (options.env[name]?.trim()) return "env";
    return (config.sources?.env[name] as SettingSource | undefined) ?? "config.toml";
  };
  const localBaseURL = () => localBaseVariables.map(setting).find(Boolean);
  const isConfigured = (provider: Provider) => Boolean(provider.name === "local" ? localBaseURL() : setting(provider.keyVariable));
  const where = configPath ? `in the environment or in [env] of ${configPath}` : "in the environment";
  const keyVariables = providers.filter((provider) => provider.name !== "local").map((provider) => provider.keyVariable);
  const models = new Map<string, LanguageModel>();

  /** The chosen default and where it came from, in precedence order. */
  function chosenDefault(): { name: string; source: SettingSource } | null {
    const candidates: Array<[string | null | undefined, SettingSource]> = [
      [overrides().defaultModel, "settings"],
      [overrides().env.MODEL, "settings"],
      [options.flagModel, "flag"],
      [options.env.MODEL, "env"],
      [config.env.MODEL, (config.sources?.env.MODEL as SettingSource | undefined) ?? "config.toml"],
      [config.defaultModel, (config.sources?.defaultModel as SettingSource | undefined) ?? "config.toml"],
    ];
    for (const [value, source] of candidates) if (value?.trim()) return { name: value.trim(), source };
    return null;
  }

  function defaultModel(): string | null {
    const chosen = chosenDefault()?.name;
    if (chosen) {
      try {
        const { provider, model } = parseModelName(chosen);
        return `${provider.name}/${model}`;
      } catch {
        return chosen;
      }
    }
    const first = providers.find((provider) => provider.recommendedModel && isConfigured(provider));
    return first ? `${first.name}/${first.recommendedModel}` : null;
  }

  function noProviderError(): ModelConfigurationError {
    const names = `${keyVariables.slice(0, -1).join(", ")} or ${keyVariables.at(-1)}`;
    return new ModelConfigurationError(
      `No model provider is configured: set ${names} (${where}), or pass --model local/<model> with OPENAI_BASE_URL set`,
      { envVars: [...keyVariables, "OPENAI_BASE_URL"] },
    );
  }

  function create(provider: Provider, model: string): LanguageModel {
    const timeoutSeconds = Number(setting("LLM_API_TIMEOUT"));
    const common = {
      model,
      retry: options.retry,
      timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 : undefined,
      keyEnvironmentVariable: provider.keyVariable,
    };
    if (provider.api === "anthropic") {
      return createAnthropicModel({
        ...common,
        apiKey: setting(provider.keyVariable) as string,
        baseURL: options.baseURLs?.anthropic ?? setting("ANTHROPIC_BASE_URL") ?? (provider.baseURL as string),
        maxOutputTokens: describeModel(provider, model).maxOutput ?? undefined,
      });
    }
    const local = provider.name === "local";
    return createOpenAIModel({
      ...common,
      provider: provider.name,
      // Local servers (ollama, llama.cpp) ignore the key but the SDK wants one.
      apiKey: setting(provider.keyVariable) ?? (local ? "ollama" : ""),
      baseURL: (local ? localBaseURL() : (options.baseURLs?.[provider.name] ?? provider.baseURL)) as string,
      maxTokensParameter: provider.name === "openai" ? "max_completion_tokens" : "max_tokens",
      vision: describeModel(provider, model).vision,
      defaultHeaders: provider.name === "openrouter" ? { "HTTP-Referer": "https://gptme.org/", "X-Title": "gptme" } : undefined,
    });
  }

  function info(provider: Provider, model: string): ModelInfo {
    const known = describeModel(provider, model);
    const id = `${provider.name}/${model}`;
    const price = priceOf(id);
    return {
      id,
      provider: provider.name,
      model,
      context: known.context,
      max_output: known.maxOutput,
      supports_streaming: true,
      supports_vision: known.vision,
      supports_reasoning: known.reasoning,
      price_input: price?.input ?? 0,
      price_output: price?.output ?? 0,
    };
  }

  function endpoint(provider: Provider): string {
    if (provider.name === "local") return localBaseURL() as string;
    if (provider.api === "anthropic") return options.baseURLs?.anthropic ?? setting("ANTHROPIC_BASE_URL") ?? (provider.baseURL as string);
    return options.baseURLs?.[provider.name] ?? (provider.baseURL as string);
  }

  return {
    configuredProviders: () =>
      providers.filter(isConfigured).map((provider) => {
        const keyVariable = provider.name === "local" ? (localBaseVariables.find((name) => setting(name)) as string) : provider.keyVariable;
        return {
          name: provider.name,
          api: provider.api,
          baseURL: endpoint(provider),
          apiKey: setting(provider.keyVariable) ?? (provider.name === "local" ? "ollama" : ""),
          keyVariable,
          source: settingSource(keyVariable),
        };
      }),
    defaultModelSource: () => chosenDefault()?.source ?? null,
    providerBaseURL(name) {
      const provider = findProvider(name);
      return provider ? (endpoint(provider) ?? null) : null;
    },
    recommendedModels: () =>
      providers
        .filter((provider) => provider.recommendedModel && isConfigured(provider))
        .map((provider) => `${provider.name}/${provider.recommendedModel}`),
    providerConfigured: () => providers.some(isConfigured),
    keyEnvironmentVariables: () => [...keyVariables, "OPENAI_BASE_URL"],
    defaultModel,
    list() {
      const listed = providers.filter(isConfigured).flatMap((provider) => provider.models.map((known) => info(provider, known.name)));
      const chosen = defaultModel();
      if (chosen && !listed.some((entry) => entry.id === chosen)) {
        try {
          const { provider, model } = parseModelName(chosen);
          if (isConfigured(provider)) listed.push(info(provider, model));
        } catch {
          // An unusable default is reported by resolve(), not by the list.
        }
      }
      return listed;
    },
    resolve(name) {
      const chosen = name?.trim() || defaultModel();
      if (!chosen) throw noProviderError();
      const { provider, model } = parseModelName(chosen);
      const id = `${provider.name}/${model}`;
      if (!isConfigured(provider)) {
        if (provider.name === "local") {
          throw new ModelConfigurationError(
            `${id}: OPENAI_BASE_URL is not set; set it (${where}) to your OpenAI-compatible server, e.g. http://localhost:11434/v1`,
            { envVars: ["OPENAI_BASE_URL"] },
          );
        }
        throw new ModelConfigurationError(`${id}: ${provider.keyVariable} is not set; set it ${where}`, {
          envVars: [provider.keyVariable],
        });
      }
      // A key changed through the user settings must reach the next generation: it is part of the cache key.
      const key = `${id}\n${setting(provider.keyVariable) ?? ""}`;
      const cached = models.get(key) ?? create(provider, model);
      models.set(key, cached);
      return cached;
    },
    cost: costOf,
  };
}

/**
 * `provider/model` (OpenRouter: `openrouter/<vendor>/<model>`); a bare provider name means its
 * recommended model; a bare known model name finds its provider.
 */
export function parseModelName(name: string): { provider: Provider; model: string } {
  const separator = name.indexOf("/");
  const head = separator === -1 ? name : name.slice(0, separator);
  const rest = separator === -1 ? "" : name.slice(separator + 1);
  const provider = findProvider(head);
  if (provider) {
    const model = rest || provider.recommendedModel;
    if (!model) {
      throw new ModelConfigurationError(`"${name}" needs a model name: use ${provider.name}/<model>`);
    }
    return { provider, model };
  }
  const owner = providers.find((candidate) => candidate.models.some((known) => known.name === name));
  if (owner) return { provider: owner, model: name };
  const known = providers.map((candidate) => candidate.name).join(", ");
  throw new ModelConfigurationError(
    separator === -1
      ? `Unknown model "${name}": write it as <provider>/<model> with a provider among ${known} (e.g. anthropic/claude-sonnet-4-6)`
      : `Unknown model provider "${head}" in "${name}": use one of ${known}`,
  );
}
