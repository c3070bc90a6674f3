/** The one small interface the agent loop depends on; `openai.ts` and `anthropic.ts` implement it. */
import type { Message } from "../store/types.js";

/** A function tool offered to the model for native tool calling (`tool_format = "tool"`). */
export interface NativeTool {
  name: string;
  description: string;
  /** JSON Schema of the parameters object. */
  parameters: Record<string, unknown>;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
}

/**
 * Why a reply ended. `length`: the output limit (max_tokens); `context_window`: the conversation
 * filled the model's context; `refusal`: the model declined (Anthropic's `refusal` stop, OpenAI's
 * `refusal` text); `content_filter`: the provider's filter stopped it.
 */
export type FinishReason = "stop" | "tool_calls" | "length" | "context_window" | "refusal" | "content_filter" | "other";

/** What a reply stream yields, in order: text deltas and tool calls, then usage, then finish. */
export type ModelPart =
  | { type: "text-delta"; text: string }
  | { type: "tool-call"; id: string; name: string; arguments: string }
  | { type: "usage"; usage: Usage }
  /** `explanation`: the provider's words on a refusal, when it gave some. */
  | { type: "finish"; reason: FinishReason; explanation?: string };

/** An image attached to a message, read and encoded for vision input. */
export interface ImageInput {
  /** File name, shown to the model before the image. */
  name: string;
  /** `image/png`, `image/jpeg`, `image/gif` or `image/webp`. */
  mediaType: string;
  /** Base64 of the file. */
  data: string;
  /** Bytes of the file (providers cap an image's size). */
  size: number;
}

/** A message as the model is sent it: attached text files already inlined, attached images here. */
export interface ModelMessage extends Message {
  images?: ImageInput[];
}

export interface ModelRequest {
  /** System prompt messages first; tool results are `system` messages (with `call_id` in tool format). */
  messages: ModelMessage[];
  tools?: NativeTool[];
  signal?: AbortSignal;
  /** false: one non-streamed request whose result is still yielded as parts. */
  stream?: boolean;
  maxTokens?: number;
}

export interface LanguageModel {
  /** `provider/model`, e.g. `openai/gpt-4o`, `local/fake`. */
  readonly id: string;
  readonly provider: string;
  readonly model: string;
  /** Streams a reply. Retries retryable failures (408/409/429/5xx, resets) before the first part. */
  stream(request: ModelRequest): AsyncIterable<ModelPart>;
  /**
   * True when a pending read of `stream` settles as soon as the request's signal aborts (the SDK
   * providers: the abort cancels their fetch). The agent then awaits each part directly; for any
   * other model it races every read against the signal, so an interrupt never waits on the model.
   */
  readonly abortsPromptly?: boolean;
}

/** `GET /api/v2/models` entry (gptme's shape). */
export interface ModelInfo {
  id: string;
  provider: string;
  model: string;
  context: number;
  max_output: number | null;
  supports_streaming: boolean;
  supports_vision: boolean;
  supports_reasoning: boolean;
  /** USD per million tokens. */
  price_input: number;
  price_output: number;
}

/** Where a setting came from: user settings set through the API, the `--model` flag, the environment, or a config file. */
export type SettingSource = "settings" | "flag" | "env" | "config.toml" | "config.local.toml";

/** A provider that has a key (or, for `local`, a base URL), with what is needed to call it. */
export interface ConfiguredProvider {
  name: string;
  api: "openai" | "anthropic";
  baseURL: string;
  apiKey: string;
  /** The variable holding its key (`OPENAI_BASE_URL` for `local`). */
  keyVariable: string;
  source: SettingSource;
}

/** Providers with keys, the model list and default-model resolution. */
export interface ModelRegistry {
  /** True when at least one provider has a key (or `local` has a base URL). */
  providerConfigured(): boolean;
  /** Names of the env vars a user can set to configure a provider. */
  keyEnvironmentVariables(): string[];
  /** Models of the configured providers. */
  list(): ModelInfo[];
  /** Server default: `--model` flag > `MODEL` env/config > first provider with a key; null if none. */
  defaultModel(): string | null;
  /**
   * Resolves `provider/model` or a bare provider name (its recommended model); `undefined`/"" means
   * the default. Throws `ModelConfigurationError` (naming the env vars) when nothing can serve it.
   */
  resolve(name?: string | null): LanguageModel;
  /** Cost in USD of a usage on a model (0 when the price is unknown). */
  cost(modelId: string, usage: Usage): number;
  /** The configured providers, in gptme's detection order. */
  configuredProviders(): ConfiguredProvider[];
  /** Where `defaultModel()` came from; null when it is the first configured provider's recommendation (or none). */
  defaultModelSource(): SettingSource | null;
  /** The URL a provider is called at (overrides included), configured or not; null for an unknown provider or `local` without a URL. */
  providerBaseURL(name: string): string | null;
  /** `provider/model` of each configured provider's recommended model. */
  recommendedModels(): string[];
}
