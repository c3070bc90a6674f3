/** Prices in USD per million tokens, and the cost of a reply's usage. */
import type { Usage } from "./model.js";
import { isSnapshotOf } from "./providers.js";

export interface Price {
  input: number;
  output: number;
  /** Default: the input price (providers without a cache discount). */
  cacheRead?: number;
  /** Default: the input price (OpenAI-style caching has no write surcharge). */
  cacheWrite?: number;
}

/** List prices of the providers' main models (standard tier, prompts under any long-context surcharge). */
export const prices: Record<string, Price> = {
  "openai/gpt-5": { input: 1.25, output: 10, cacheRead: 0.125 },
  "openai/gpt-5-mini": { input: 0.25, output: 2, cacheRead: 0.025 },
  "openai/gpt-5-nano": { input: 0.05, output: 0.4, cacheRead: 0.005 },
  "openai/gpt-4.1": { input: 2, output: 8, cacheRead: 0.5 },
  "openai/gpt-4o": { input: 2.5, output: 10, cacheRead: 1.25 },
  "openai/gpt-4o-mini": { input: 0.15, output: 0.6, cacheRead: 0.075 },
  "openai/o3": { input: 2, output: 8, cacheRead: 0.5 },
  "openai/o4-mini": { input: 1.1, output: 4.4, cacheRead: 0.275 },
  "anthropic/claude-sonnet-4-6": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "anthropic/claude-opus-4-6": { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  "anthropic/claude-haiku-4-5": { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  "anthropic/claude-sonnet-4-5": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "anthropic/claude-opus-4-5": { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  "openrouter/anthropic/claude-sonnet-4.6": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "openrouter/openai/gpt-5": { input: 1.25, output: 10, cacheRead: 0.125 },
  "gemini/gemini-2.5-pro": { input: 1.25, output: 10, cacheRead: 0.31 },
  "gemini/gemini-2.5-flash": { input: 0.3, output: 2.5, cacheRead: 0.075 },
  "groq/llama-3.3-70b-versatile": { input: 0.59, output: 0.79 },
  "groq/llama-3.1-8b-instant": { input: 0.05, output: 0.08 },
  "groq/openai/gpt-oss-120b": { input: 0.15, output: 0.75 },
  "xai/grok-4": { input: 3, output: 15, cacheRead: 0.75 },
  "xai/grok-code-fast-1": { input: 0.2, output: 1.5, cacheRead: 0.02 },
  "deepseek/deepseek-chat": { input: 0.28, output: 0.42, cacheRead: 0.028 },
  "deepseek/deepseek-reasoner": { input: 0.28, output: 0.42, cacheRead: 0.028 },
};

/** The price of `provider/model`, also for its dated snapshots (`...-20250929`); null when unknown. */
export function priceOf(modelId: string): Price | null {
  const known = Object.keys(prices).find((id) => isSnapshotOf(modelId, id));
  return known ? prices[known] : null;
}

/** USD; usage counts input tokens without the cached ones. Unknown models cost 0. */
export function costOf(modelId: string, usage: Usage): number {
  const price = priceOf(modelId);
  if (!price) return 0;
  const total =
    usage.inputTokens * price.input +
    usage.outputTokens * price.output +
    usage.cacheReadTokens * (price.cacheRead ?? price.input) +
    usage.cacheCreationTokens * (price.cacheWrite ?? price.input);
  return total / 1_000_000;
}
