/**
 * The OpenAI chat-completions adapter. It also serves every OpenAI-compatible provider (OpenRouter,
 * Groq, xAI, DeepSeek, Gemini's OpenAI endpoint, `local/` servers): only the base URL and key differ.
 */
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions/completions";
import { lazySdk } from "./lazy-sdk.js";
import type { LanguageModel, ModelPart, ModelRequest } from "./model.js";
import { toOpenAIMessages, toOpenAITools } from "./openai-messages.js";
import { ConvertedStream } from "./converted-stream.js";
import { ChunkConverter, completionToParts } from "./openai-parts.js";
import { streamWithRetries, type RetryOptions } from "./retry.js";

export interface OpenAIModelOptions {
  provider: string;
  model: string;
  apiKey: string;
  baseURL: string;
  retry?: RetryOptions;
  /** One HTTP request's timeout (default 600 s, gptme's `LLM_API_TIMEOUT`). */
  timeoutMs?: number;
  defaultHeaders?: Record<string, string>;
  /** Named in authentication failures, e.g. `OPENAI_API_KEY`. */
  keyEnvironmentVariable?: string;
  /** Whether the model reads images (else attached images are replaced by a note). */
  vision?: boolean;
  /** OpenAI's own newer models take `max_completion_tokens`; compatible servers know `max_tokens`. */
  maxTokensParameter?: "max_tokens" | "max_completion_tokens";
}

export function createOpenAIModel(options: OpenAIModelOptions): LanguageModel {
  const { connect, classify } = lazySdk(
    () => import("openai").then((module) => module.default),
    // Retries are ours (streamWithRetries), so the SDK must not add its own.
    (OpenAISdk) =>
      new OpenAISdk({
        apiKey: options.apiKey,
        baseURL: options.baseURL,
        maxRetries: 0,
        timeout: options.timeoutMs ?? 600_000,
        defaultHeaders: options.defaultHeaders,
      }),
  );
  const id = `${options.provider}/${options.model}`;

  function requestBody(request: ModelRequest): ChatCompletionCreateParamsBase {
    const nativeTools = (request.tools?.length ?? 0) > 0;
    return {
      model: options.model,
      messages: toOpenAIMessages(request.messages, { nativeTools, vision: options.vision }),
      ...(nativeTools ? { tools: toOpenAITools(request.tools ?? []) } : {}),
      ...(request.maxTokens ? { [options.maxTokensParameter ?? "max_tokens"]: request.maxTokens } : {}),
    };
  }

  async function* completion(request: ModelRequest): AsyncGenerator<ModelPart> {
    const client = await connect();
    yield* completionToParts(await client.chat.completions.create({ ...requestBody(request), stream: false }, { signal: request.signal }));
  }

  function attempt(request: ModelRequest): AsyncIterable<ModelPart> {
    if (request.stream === false) return completion(request);
    return new ConvertedStream(async () => {
      const client = await connect();
      return client.chat.completions.create(
        { ...requestBody(request), stream: true, stream_options: { include_usage: true } },
        { signal: request.signal },
      );
    }, new ChunkConverter());
  }

  return {
    id,
    provider: options.provider,
    model: options.model,
    abortsPromptly: true,
    stream(request) {
      return streamWithRetries({
        modelId: id,
        signal: request.signal,
        retry: options.retry,
        attempt: () => attempt(request),
        classify,
        authenticationHint: options.keyEnvironmentVariable && `check ${options.keyEnvironmentVariable}`,
      });
    },
  };
}
