/** `GET /api/v2/models`: models of the providers that have keys, and the server default. */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import type { AppEnvironment } from "./bindings.js";
import { errorResponses, jsonContent } from "./schemas/common.js";

type AppContext = Context<AppEnvironment>;

export const ModelInfo = z.object({
  id: z.string(),
  provider: z.string(),
  model: z.string(),
  context: z.number(),
  max_output: z.number().nullable(),
  supports_streaming: z.boolean(),
  supports_vision: z.boolean(),
  supports_reasoning: z.boolean(),
  price_input: z.number().describe("USD per million input tokens"),
  price_output: z.number().describe("USD per million output tokens"),
});

export class ListModels extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["models"],
    summary: "Available models",
    description: "Empty with `default: null` when no provider is configured.",
    responses: {
      "200": jsonContent(
        z.object({
          models: z.array(ModelInfo),
          default: z.string().nullable(),
          recommended: z.array(z.string()).describe("Each configured provider's recommended model"),
          favorites: z.array(z.string()).describe("The user's favourite models that are available"),
          provider_configured: z.boolean(),
        }),
        "Models",
      ),
      ...errorResponses(401),
    },
  };

  async handle(c: AppContext) {
    const models = c.env.models.list();
    const defaultModel = c.env.models.defaultModel();
    const available = new Set(models.map((model) => model.id));
    return c.json({
      models,
      default: defaultModel,
      recommended: c.env.models.recommendedModels().filter((id) => available.has(id)),
      favorites: c.env.userSettings.favorites().filter((id) => available.has(id)),
      provider_configured: c.env.models.providerConfigured(),
    });
  }
}
