/**
 * The user-settings API (`/api/v2/user/...`) over the stored user settings: saving a provider key
 * (checked with the provider first, never echoed back), the default model, favourite models, and
 * the read-only views the web UI's settings panel shows.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { AppError, BadRequestError } from "../errors.js";
import type { ModelRegistry, SettingSource } from "../models/model.js";
import { checkProviderKey, type ProviderHealthChecker } from "../models/provider-health.js";
import { findProvider, providers } from "../models/providers.js";
import type { UserSettings } from "./user-settings.js";

export interface UserSettingsView {
  providers_configured: string[];
  provider_sources: Record<string, { auth_source: string; effective_source: SettingSource }>;
  default_model: string | null;
  default_model_source: SettingSource | null;
  config_files: {
    config_path: string;
    local_config_path: string;
    local_config_exists: boolean;
    /** Where settings made through the API are written: the server's database. */
    write_target: string;
    local_overrides_main: boolean;
  };
}

export interface ApiKeyInput {
  provider: string;
  apiKey: string;
  model?: string;
  skipValidation: boolean;
}

export interface SettingsService {
  user(): { name: string; avatar: string | null };
  view(): UserSettingsView;
  favorites(): string[];
  saveApiKey(input: ApiKeyInput): Promise<{ status: "ok"; provider: string; env_var: string; restart_required: false; warning?: string }>;
  saveDefaultModel(model: string): Promise<{ status: "ok"; model: string; restart_required: false }>;
  saveFavorites(favorites: string[]): Promise<{ status: "ok"; favorites: string[] }>;
  /** The user's config.toml with secret values replaced by `***` (read-only: settings are changed through the API). */
  configFile(): { content: string; path: string; write_target: string; local_config_path: string; local_config_exists: boolean; local_overrides_main: boolean };
  /** Applies one dotted key of the config-file API when it is one the settings keep; 400 otherwise. */
  patchConfigKey(key: string, value: string | number | boolean): Promise<void>;
}

export interface SettingsServiceOptions {
  settings: UserSettings;
  models: ModelRegistry;
  providerHealth: ProviderHealthChecker;
  /** `$XDG_CONFIG_HOME/gptme/config.toml`. */
  configPath: string;
  databasePath: string;
}

/** Providers whose key can be set (gptme's `PROVIDER_API_KEYS`): every keyed provider. */
const keyedProviders = providers.filter((provider) => provider.name !== "local");

/** gptme's `_validate_model_input`. */
export function validateModelId(model: string, expectedProvider?: string): string {
  const trimmed = model.trim();
  if (!trimmed) throw new BadRequestError("model must not be empty");
  if (!trimmed.includes("/")) throw new BadRequestError("model must be fully qualified as provider/model");
  const separator = trimmed.indexOf("/");
  const provider = trimmed.slice(0, separator);
  if (!findProvider(provider)) throw new BadRequestError(`Unknown provider: ${provider}`);
  if (!trimmed.slice(separator + 1).trim()) throw new BadRequestError("model must include a model name after the provider prefix");
  if (expectedProvider && provider !== expectedProvider) {
    throw new BadRequestError(`Model ${trimmed} does not match provider ${expectedProvider}`);
  }
  return trimmed;
}

/** gptme's `_validate_api_key_input`. */
function validateApiKey(key: string): string {
  const trimmed = key.trim();
  if (!trimmed) throw new BadRequestError("API key is empty");
  if (trimmed.length > 4096) throw new BadRequestError("API key is too long");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new BadRequestError("API key contains control characters");
  return trimmed;
}

const secretLine = /^(\s*["']?[\w]*(?:api_key|secret|password|token)[\w]*["']?\s*=\s*)(["'])(.*?)\2/i;

/** Replaces secret values (`*_API_KEY`, `*token*`, ...) with `***`, line by line. */
export function redactSecrets(content: string): string {
  return content
    .split("\n")
    .map((line) => line.replace(secretLine, (_match, key: string, quote: string) => `${key}${quote}***${quote}`))
    .join("\n");
}

export function createSettingsService(options: SettingsServiceOptions): SettingsService {
  const localConfigPath = join(dirname(options.configPath), "config.local.toml");
  const configFiles = () => ({
    config_path: options.configPath,
    local_config_path: localConfigPath,
    local_config_exists: existsSync(localConfigPath),
    write_target: options.databasePath,
    local_overrides_main: true,
  });

  async function saveDefaultModel(model: string) {
    await options.settings.setDefaultModel(model);
    return { status: "ok" as const, model, restart_required: false as const };
  }

  return {
    user() {
      const snapshot = options.settings.snapshot();
      return { name: snapshot.userName ?? "User", avatar: snapshot.userAvatar };
    },

    view() {
      const configured = options.models.configuredProviders();
      return {
        providers_configured: configured.map((provider) => provider.name),
        provider_sources: Object.fromEntries(
          configured.map((provider) => [provider.name, { auth_source: provider.keyVariable, effective_source: provider.source }]),
        ),
        default_model: options.models.defaultModel(),
        default_model_source: options.models.defaultModelSource(),
        config_files: configFiles(),
      };
    },

    favorites: () => options.settings.snapshot().favorites,

    async saveApiKey(input) {
      const provider = keyedProviders.find((candidate) => candidate.name === input.provider);
      if (!provider) throw new BadRequestError(`Unknown provider: ${input.provider}`);
      const key = validateApiKey(input.apiKey);
      const model = input.model === undefined ? undefined : validateModelId(input.model, provider.name);
      let warning: string | undefined;
      if (!input.skipValidation) {
        const baseURL = options.models.providerBaseURL(provider.name) ?? (provider.baseURL as string);
        const check = await checkProviderKey({ name: provider.name, api: provider.api, baseURL, apiKey: key }, 10_000);
        if (check.status === "invalid") throw new AppError(422, check.message);
        if (check.status === "unreachable") warning = check.message;
      }
      await options.settings.setProviderKey(provider.keyVariable, key);
      if (model) await options.settings.setDefaultModel(model);
      options.providerHealth.invalidate();
      return {
        status: "ok" as const,
        provider: provider.name,
        env_var: provider.keyVariable,
        restart_required: false as const,
        ...(warning ? { warning } : {}),
      };
    },

    saveDefaultModel: (model) => saveDefaultModel(validateModelId(model)),

    async saveFavorites(favorites) {
      const cleaned: string[] = [];
      for (const favorite of favorites) {
        const trimmed = favorite.trim();
        // eslint-disable-next-line no-control-regex
        if (!trimmed || cleaned.includes(trimmed) || !trimmed.includes("/") || trimmed.length > 256 || /[\u0000-\u001f\u007f]/.test(trimmed)) {
          continue;
        }
        cleaned.push(trimmed);
      }
      await options.settings.setFavorites(cleaned);
      return { status: "ok" as const, favorites: cleaned };
    },

    configFile() {
      const content = existsSync(options.configPath) ? readFileSync(options.configPath, "utf8") : "";
      return { content: redactSecrets(content), path: options.configPath, ...configFiles() };
    },

    async patchConfigKey(key, value) {
      const trimmed = key.trim();
      if (!trimmed) throw new BadRequestError("key must not be empty");
      if (trimmed.split(".").some((segment) => !segment.trim())) {
        throw new BadRequestError("key must be a dotted path with non-empty segments");
      }
      if ((trimmed === "models.default" || trimmed === "env.MODEL") && typeof value === "string") {
        await saveDefaultModel(validateModelId(value));
        return;
      }
      const provider = keyedProviders.find((candidate) => trimmed === `env.${candidate.keyVariable}`);
      if (provider && typeof value === "string") {
        await options.settings.setProviderKey(provider.keyVariable, validateApiKey(value));
        options.providerHealth.invalidate();
        return;
      }
      throw new BadRequestError(
        `${trimmed} cannot be set through the API: gptme-ts keeps user settings in its database ` +
          "(models.default, env.MODEL and env.<PROVIDER>_API_KEY can be set); edit config.toml for the rest",
      );
    },
  };
}
