/** The providers gptme knows: key variable, base URL, recommended model and a few known models. */

export type ProviderName = "openai" | "anthropic" | "openrouter" | "gemini" | "groq" | "xai" | "deepseek" | "local";

export interface KnownModel {
  name: string;
  context: number;
  maxOutput: number | null;
  vision: boolean;
  reasoning: boolean;
}

export interface Provider {
  name: ProviderName;
  /** The variable holding the key; for `local`, an optional key (a dummy is sent without one). */
  keyVariable: string;
  /** null for `local`, whose URL comes from `OPENAI_BASE_URL`. */
  baseURL: string | null;
  /** What a bare provider name resolves to (gptme's `get_recommended_model`); null: a model must be named. */
  recommendedModel: string | null;
  /** Which API the provider speaks. */
  api: "openai" | "anthropic";
  models: KnownModel[];
}

const model = (name: string, context: number, maxOutput: number | null, flags: { vision?: boolean; reasoning?: boolean } = {}): KnownModel =>
  ({ name, context, maxOutput, vision: flags.vision ?? false, reasoning: flags.reasoning ?? false });

/** In gptme's auto-detection order: the first provider with a key gives the default model. */
export const providers: Provider[] = [
  {
    name: "openai",
    keyVariable: "OPENAI_API_KEY",
    baseURL: "https://api.openai.com/v1",
    recommendedModel: "gpt-5",
    api: "openai",
    models: [
      model("gpt-5", 400_000, 128_000, { vision: true, reasoning: true }),
      model("gpt-5-mini", 400_000, 128_000, { vision: true, reasoning: true }),
      model("gpt-5-nano", 400_000, 128_000, { vision: true, reasoning: true }),
      model("gpt-4.1", 1_047_576, 32_768, { vision: true }),
      model("gpt-4o", 128_000, 16_384, { vision: true }),
      model("gpt-4o-mini", 128_000, 16_384, { vision: true }),
      model("o3", 200_000, 100_000, { vision: true, reasoning: true }),
      model("o4-mini", 200_000, 100_000, { vision: true, reasoning: true }),
    ],
  },
  {
    name: "anthropic",
    keyVariable: "ANTHROPIC_API_KEY",
    baseURL: "https://api.anthropic.com",
    recommendedModel: "claude-sonnet-4-6",
    api: "anthropic",
    models: [
      model("claude-sonnet-4-6", 200_000, 64_000, { vision: true, reasoning: true }),
      model("claude-opus-4-6", 200_000, 64_000, { vision: true, reasoning: true }),
      model("claude-haiku-4-5", 200_000, 64_000, { vision: true, reasoning: true }),
      model("claude-sonnet-4-5", 200_000, 64_000, { vision: true, reasoning: true }),
      model("claude-opus-4-5", 200_000, 64_000, { vision: true, reasoning: true }),
    ],
  },
  {
    name: "openrouter",
    keyVariable: "OPENROUTER_API_KEY",
    baseURL: "https://openrouter.ai/api/v1",
    recommendedModel: "deepseek/deepseek-v4-pro",
    api: "openai",
    models: [
      model("deepseek/deepseek-v4-pro", 128_000, null, { reasoning: true }),
      model("anthropic/claude-sonnet-4.6", 200_000, 64_000, { vision: true, reasoning: true }),
      model("openai/gpt-5", 400_000, 128_000, { vision: true, reasoning: true }),
    ],
  },
  {
    name: "gemini",
    keyVariable: "GEMINI_API_KEY",
    baseURL: "https://generativelanguage.googleapis.com/v1beta/openai/",
    recommendedModel: "gemini-2.5-pro",
    api: "openai",
    models: [
      model("gemini-2.5-pro", 1_048_576, 65_536, { vision: true, reasoning: true }),
      model("gemini-2.5-flash", 1_048_576, 65_536, { vision: true, reasoning: true }),
    ],
  },
  {
    name: "groq",
    keyVariable: "GROQ_API_KEY",
    baseURL: "https://api.groq.com/openai/v1",
    recommendedModel: "llama-3.3-70b-versatile",
    api: "openai",
    models: [
      model("llama-3.3-70b-versatile", 131_072, 32_768),
      model("llama-3.1-8b-instant", 131_072, 131_072),
      model("openai/gpt-oss-120b", 131_072, 65_536, { reasoning: true }),
    ],
  },
  {
    name: "xai",
    keyVariable: "XAI_API_KEY",
    baseURL: "https://api.x.ai/v1",
    recommendedModel: "grok-4",
    api: "openai",
    models: [
      model("grok-4", 256_000, null, { vision: true, reasoning: true }),
      model("grok-code-fast-1", 256_000, null, { reasoning: true }),
    ],
  },
  {
    name: "deepseek",
    keyVariable: "DEEPSEEK_API_KEY",
    baseURL: "https://api.deepseek.com/v1",
    recommendedModel: "deepseek-chat",
    api: "openai",
    models: [
      model("deepseek-chat", 128_000, 8_192),
      model("deepseek-reasoner", 128_000, 64_000, { reasoning: true }),
    ],
  },
  {
    name: "local",
    keyVariable: "OPENAI_API_KEY",
    baseURL: null,
    recommendedModel: null,
    api: "openai",
    models: [],
  },
];

/** What an unknown model of a known provider is assumed to offer. */
export const unknownModelDefaults: Omit<KnownModel, "name"> = { context: 128_000, maxOutput: null, vision: false, reasoning: false };

export function findProvider(name: string): Provider | undefined {
  return providers.find((provider) => provider.name === name);
}

/** The known model, or the defaults under the given name (also for snapshots like `claude-sonnet-4-5-20250929`). */
export function describeModel(provider: Provider, name: string): KnownModel {
  const known = provider.models.find((candidate) => isSnapshotOf(name, candidate.name));
  return known ? { ...known, name } : { ...unknownModelDefaults, name };
}

/** `name` is `base` itself or a dated snapshot of it (`-20250929`, `-2024-08-06`, `-latest`). */
export function isSnapshotOf(name: string, base: string): boolean {
  if (name === base) return true;
  return name.startsWith(base) && /^-(\d{8}|\d{4}-\d{2}-\d{2}|latest)$/.test(name.slice(base.length));
}
