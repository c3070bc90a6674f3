/** The Anthropic messages-API adapter. */
import type { MessageCreateParamsBase } from "@anthropic-ai/sdk/resources/messages/messages";
import { toAnthropicConversation, toAnthropicTools } from "./anthropic-messages.js";
import { eventsToParts, messageToParts } from "./anthropic-parts.js";
import { lazySdk } from "./lazy-sdk.js";
import type { LanguageModel, ModelPart, ModelRequest } from "./model.js";
import { streamWithRetries, type RetryOptions } from "./retry.js";

export interface AnthropicModelOptions {
  model: string;
  apiKey: string;
  baseURL: string;
  retry?: RetryOptions;
  /** One HTTP request's timeout (default 600 s, gptme's `LLM_API_TIMEOUT`). */
  timeoutMs?: number;
  /** `max_tokens` when the request gives none (the API requires one); default 8192. */
  maxOutputTokens?: number;
  /** Named in authentication failures; default `ANTHROPIC_API_KEY`. */
  keyEnvironmentVariable?: string;
}

export function createAnthropicModel(options: AnthropicModelOptions): LanguageModel {
  const { connect, classify } = lazySdk(
    () => import("@anthropic-ai/sdk").then((module) => module.default),
    // An explicit timeout also keeps the SDK from refusing large non-streamed `max_tokens`.
    (AnthropicSdk) =>
      new AnthropicSdk({
        apiKey: options.apiKey,
        baseURL: options.baseURL,
        maxRetries: 0,
        timeout: options.timeoutMs ?? 600_000,
      }),
  );
  const id = `anthropic/${options.model}`;

  async function* attempt(request: ModelRequest): AsyncGenerator<ModelPart> {
    const client = await connect();
    const nativeTools = (request.tools?.length ?? 0) > 0;
    const conversation = toAnthropicConversation(request.messages, { nativeTools });
    const body: MessageCreateParamsBase = {
      model: options.model,
      max_tokens: request.maxTokens ?? options.maxOutputTokens ?? 8192,
      messages: conversation.messages,
      ...(conversation.system ? { system: conversation.system } : {}),
      ...(nativeTools ? { tools: toAnthropicTools(request.tools ?? []) } : {}),
    };
    const requestOptions = { signal: request.signal };
    if (request.stream === false) {
      yield* messageToParts(await client.messages.create({ ...body, stream: false }, requestOptions));
      return;
    }
    yield* eventsToParts(await client.messages.create({ ...body, stream: true }, requestOptions));
  }

  return {
    id,
    provider: "anthropic",
    model: options.model,
    abortsPromptly: true,
    stream(request) {
      return streamWithRetries({
        modelId: id,
        signal: request.signal,
        retry: options.retry,
        attempt: () => attempt(request),
        classify,
        authenticationHint: `check ${options.keyEnvironmentVariable ?? "ANTHROPIC_API_KEY"}`,
      });
    },
  };
}
