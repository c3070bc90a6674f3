import { describe, expect, it } from "vitest";
import { costOf, priceOf } from "../../runtime/models/pricing.js";

const usage = { inputTokens: 1_000_000, outputTokens: 100_000, cacheReadTokens: 2_000_000, cacheCreationTokens: 400_000 };

describe("pricing", () => {
  it("prices input, output, cache reads and cache writes per million tokens", () => {
    // 3 + 1.5 + 0.6 + 1.5
    expect(costOf("anthropic/claude-sonnet-4-6", usage)).toBeCloseTo(6.6, 10);
  });

  it("charges cache writes at the input price where the provider has no surcharge", () => {
    // 2.5 + 1 + 2.5 + 1
    expect(costOf("openai/gpt-4o", usage)).toBeCloseTo(7, 10);
  });

  it("knows dated snapshots by their base name, but not other variants", () => {
    expect(priceOf("anthropic/claude-sonnet-4-5-20250929")).toEqual(priceOf("anthropic/claude-sonnet-4-5"));
    expect(priceOf("openai/gpt-4o-mini-2024-07-18")?.input).toBe(0.15);
    expect(priceOf("openai/gpt-4o-2024-08-06")?.input).toBe(2.5);
    expect(priceOf("openai/gpt-5-pro")).toBeNull();
  });

  it("costs nothing for unknown models", () => {
    expect(priceOf("local/llama3")).toBeNull();
    expect(costOf("local/llama3", usage)).toBe(0);
  });
});
