/** What `/undo` removes and what `/tokens` and `/context` count, shared by the CLI and the server. */
import type { Message } from "../store/types.js";

/** The system prompt at the start (pinned system messages) is never undone or lost. */
export function promptLength(messages: Message[]): number {
  const index = messages.findIndex((message) => !(message.role === "system" && message.pinned));
  return index === -1 ? messages.length : index;
}

/** The messages kept and removed when undoing the last `count` (never the system prompt). */
export function undoLast(messages: Message[], count: number): { kept: Message[]; removed: Message[] } {
  const keep = Math.max(promptLength(messages), messages.length - count);
  return { kept: messages.slice(0, keep), removed: messages.slice(keep) };
}

export function previewOf(message: Message, width = 80): string {
  const line = message.content.replace(/\s+/g, " ").trim();
  return line.length > width ? `${line.slice(0, width - 3)}...` : line;
}

export interface UsageTotals {
  replies: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
  cost: number;
}

export const emptyTotals = (): UsageTotals => ({ replies: 0, input: 0, output: 0, cacheRead: 0, cacheCreation: 0, cost: 0 });

/** Totals per model over the assistant messages that carry usage metadata. */
export function usageByModel(messages: Message[]): Map<string, UsageTotals> {
  const byModel = new Map<string, UsageTotals>();
  for (const message of messages) {
    const metadata = message.metadata;
    if (message.role !== "assistant" || !metadata) continue;
    const totals = byModel.get(metadata.model ?? "unknown") ?? emptyTotals();
    totals.replies += 1;
    totals.input += metadata.input_tokens ?? 0;
    totals.output += metadata.output_tokens ?? 0;
    totals.cacheRead += metadata.cache_read_tokens ?? 0;
    totals.cacheCreation += metadata.cache_creation_tokens ?? 0;
    totals.cost += metadata.cost ?? 0;
    byModel.set(metadata.model ?? "unknown", totals);
  }
  return byModel;
}

export const formatCount = (value: number) => value.toLocaleString("en-US");
export const formatDollars = (value: number) => `$${value.toFixed(value > 0 && value < 0.01 ? 4 : 2)}`;
/** A rough count: about four characters a token, as gptme estimates without a tokenizer. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

export function describeUsage(totals: UsageTotals): string {
  const cache = totals.cacheRead || totals.cacheCreation
    ? ` (cache read ${formatCount(totals.cacheRead)}, cache write ${formatCount(totals.cacheCreation)})`
    : "";
  return `input ${formatCount(totals.input)}${cache}, output ${formatCount(totals.output)}, cost ${formatDollars(totals.cost)}`;
}

/** What the model is sent, by kind: label, estimated tokens, message count. */
export function contextBreakdown(messages: Message[]): Array<{ label: string; tokens: number; count: number }> {
  const parts: Array<[string, (message: Message) => boolean]> = [
    ["System prompt", (message) => message.role === "system" && message.pinned === true],
    ["Your messages", (message) => message.role === "user"],
    ["Replies", (message) => message.role === "assistant"],
    ["Tool outputs", (message) => message.role === "system" && !message.pinned],
  ];
  return parts.map(([label, matches]) => {
    const selected = messages.filter(matches);
    return { label, tokens: selected.reduce((sum, message) => sum + estimateTokens(message.content), 0), count: selected.length };
  });
}
