import type { Message, MessageMetadata } from "../api/types.js";

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  cost: number;
  replies: number;
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** Reads both gptme's flat metadata and HEAD's nested `usage` object. */
export function usageOf(metadata: MessageMetadata | undefined): UsageTotals | null {
  if (!metadata) return null;
  const nested = (metadata.usage ?? {}) as Record<string, unknown>;
  const pick = (key: string) => count(metadata[key] ?? nested[key]);
  const totals = {
    inputTokens: pick("input_tokens"),
    outputTokens: pick("output_tokens"),
    cacheReadTokens: pick("cache_read_tokens"),
    cacheCreationTokens: pick("cache_creation_tokens"),
    cost: count(metadata.cost),
    replies: 1,
  };
  return totals.inputTokens || totals.outputTokens || totals.cost ? totals : null;
}

export function conversationUsage(messages: Message[]): UsageTotals {
  const totals: UsageTotals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, cost: 0, replies: 0 };
  for (const message of messages) {
    const usage = usageOf(message.metadata);
    if (!usage) continue;
    totals.inputTokens += usage.inputTokens;
    totals.outputTokens += usage.outputTokens;
    totals.cacheReadTokens += usage.cacheReadTokens;
    totals.cacheCreationTokens += usage.cacheCreationTokens;
    totals.cost += usage.cost;
    totals.replies += 1;
  }
  return totals;
}
