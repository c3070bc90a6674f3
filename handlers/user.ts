/**
 * The user settings gptme HEAD's web UI reads and writes: identity, configured providers and the
 * default model, a provider key (stored, never sent back), the default model, favourite models,
 * and the config-file view. Settings are kept in the server's database and apply to the next
 * generation without a restart.
 */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { AppError, NotFoundError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";
import { errorResponses, jsonContent } from "./schemas/common.js";
import { jsonObject, parseWith } from "./schemas/validate.js";

type AppContext = Context<AppEnvironment>;
const tags = ["user"];
const modelTypeError = "model must be a string (e.g. 'gpt-4', 'claude-sonnet-4-5-20250929')";

export const ApiKeyBody = z.object({
  provider: z.string({ error: "provider must be a string" }).describe("openai, anthropic, openrouter, gemini, groq, xai, deepseek"),
  api_key: z.string({ error: "api_key must be a string" }),
  model: z.string({ error: modelTypeError }).optional().describe("provider/model: also saved as the default model"),
  skip_validation: z.boolean({ error: "skip_validation must be a boolean" }).optional().describe("Save without checking the key with the provider"),
});

export const DefaultModelBody = z.object({ model: z.string({ error: modelTypeError }).describe("provider/model") });

export const FavoritesBody = z.object({
  favorites: z.array(z.string(), { error: "favorites must be a list of strings" }).describe("provider/model ids"),
});

export const ConfigKeyBody = z.object({
  key: z.string({ error: "key must be a string" }).describe("Dotted path: models.default, env.MODEL, env.<PROVIDER>_API_KEY"),
  value: z.union([z.string(), z.number(), z.boolean()], { error: "value must be a JSON scalar (string, number, or boolean)" }),
  reload: z.boolean({ error: "reload must be a boolean" }).optional(),
});

const SettingSource = z.enum(["settings", "flag", "env", "config.toml", "config.local.toml"]);

const ConfigFiles = z.object({
  config_path: z.string(),
  local_config_path: z.string(),
  local_config_exists: z.boolean(),
  write_target: z.string().describe("Where settings made through the API are kept: the server's database"),
  local_overrides_main: z.boolean(),
});

const ConfigFile = z.object({
  content: z.string().describe("config.toml with secret values replaced by ***"),
  path: z.string(),
  write_target: z.string(),
  local_config_path: z.string(),
  local_config_exists: z.boolean(),
  local_overrides_main: z.boolean(),
});

export class GetUser extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "The user's name and avatar",
    responses: { "200": jsonContent(z.object({ name: z.string(), avatar: z.string().nullable() }), "User"), ...errorResponses(401) },
  };

  async handle(c: AppContext) {
    return c.json(c.env.userSettings.user());
  }
}

export class GetUserAvatar extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "The user's avatar image (none can be configured yet: always 404)",
    responses: errorResponses(401, 404),
  };

  async handle(_c: AppContext): Promise<Response> {
    throw new NotFoundError("No avatar configured");
  }
}

export class GetUserSettings extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Configured providers (never their keys), the default model and where each comes from",
    responses: {
      "200": jsonContent(
        z.object({
          providers_configured: z.array(z.string()),
          provider_sources: z.record(z.string(), z.object({ auth_source: z.string(), effective_source: SettingSource })),
          default_model: z.string().nullable(),
          default_model_source: SettingSource.nullable(),
          config_files: ConfigFiles,
        }),
        "Settings",
      ),
      ...errorResponses(401),
    },
  };

  async handle(c: AppContext) {
    return c.json(c.env.userSettings.view());
  }
}

export class SaveApiKey extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Save a provider API key (checked with the provider first; stored, never sent back)",
    description:
      "422 when the provider rejects the key; saved with a `warning` when the provider cannot be reached. " +
      "Applies to the next generation, no restart.",
    request: { body: { content: { "application/json": { schema: ApiKeyBody } } } },
    responses: {
      "200": jsonContent(
        z.object({
          status: z.literal("ok"),
          provider: z.string(),
          env_var: z.string(),
          restart_required: z.literal(false),
          warning: z.string().optional(),
        }),
        "Saved",
      ),
      ...errorResponses(400, 401),
      "422": jsonContent(z.object({ error: z.string() }), "The provider rejected the key"),
    },
  };

  async handle(c: AppContext) {
    const body = parseWith(ApiKeyBody, await jsonObject(c));
    return c.json(
      await c.env.userSettings.saveApiKey({
        provider: body.provider,
        apiKey: body.api_key,
        model: body.model,
        skipValidation: body.skip_validation ?? false,
      }),
    );
  }
}

export class SaveDefaultModel extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Save the default model for new generations (applies without a restart)",
    request: { body: { content: { "application/json": { schema: DefaultModelBody } } } },
    responses: {
      "200": jsonContent(z.object({ status: z.literal("ok"), model: z.string(), restart_required: z.literal(false) }), "Saved"),
      ...errorResponses(400, 401),
    },
  };

  async handle(c: AppContext) {
    const body = parseWith(DefaultModelBody, await jsonObject(c));
    return c.json(await c.env.userSettings.saveDefaultModel(body.model));
  }
}

export class SaveFavorites extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Save the favourite models (trimmed, de-duplicated; malformed ids dropped)",
    request: { body: { content: { "application/json": { schema: FavoritesBody } } } },
    responses: {
      "200": jsonContent(z.object({ status: z.literal("ok"), favorites: z.array(z.string()) }), "Saved"),
      ...errorResponses(400, 401),
    },
  };

  async handle(c: AppContext) {
    const body = parseWith(FavoritesBody, await jsonObject(c));
    return c.json(await c.env.userSettings.saveFavorites(body.favorites));
  }
}

export class GetUserConfigFile extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "The user's config.toml, secrets redacted (read-only view)",
    responses: { "200": jsonContent(ConfigFile, "Config file"), ...errorResponses(401) },
  };

  async handle(c: AppContext) {
    return c.json(c.env.userSettings.configFile());
  }
}

export class ReplaceUserConfigFile extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Not supported: gptme-ts does not rewrite config.toml (501)",
    description: "Settings made through the API are kept in the server's database: use PATCH for one key, or edit the file.",
    responses: errorResponses(401, 501),
  };

  async handle(_c: AppContext): Promise<Response> {
    throw new AppError(
      501,
      "gptme-ts does not rewrite config.toml: settings made through the API are kept in its database. " +
        "Use PATCH /api/v2/user/config-file for models.default, env.MODEL or env.<PROVIDER>_API_KEY, or edit the file.",
    );
  }
}

export class PatchUserConfigFile extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Set one setting by its config.toml key (models.default, env.MODEL, env.<PROVIDER>_API_KEY)",
    description: "Kept in the server's database, not written to the file; any other key answers 400.",
    request: { body: { content: { "application/json": { schema: ConfigKeyBody } } } },
    responses: {
      "200": jsonContent(ConfigFile.extend({ status: z.literal("ok"), key: z.string() }), "Saved"),
      ...errorResponses(400, 401),
    },
  };

  async handle(c: AppContext) {
    const body = parseWith(ConfigKeyBody, await jsonObject(c));
    await c.env.userSettings.patchConfigKey(body.key, body.value);
    return c.json({ ...c.env.userSettings.configFile(), status: "ok" as const, key: body.key.trim() });
  }
}
