/** `/tokens` (alias `/cost`): usage and cost from the replies' metadata; `/context`: what the model is sent. */
import type { Message } from "../../../runtime/store/types.js";
import { plural } from "../plural.js";
import type { SlashCommand } from "./command.js";

interface UsageTotals {
  replies: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
  cost: number;
}

const emptyTotals = (): UsageTotals => ({ replies: 0, input: 0, output: 0, cacheRead: 0, cacheCreation: 0, cost: 0 });

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

const count = (value: number) => value.toLocaleString("en-US");
const dollars = (value: number) => `$${value.toFixed(value > 0 && value < 0.01 ? 4 : 2)}`;
/** A rough count: about four characters a token, as gptme estimates without a tokenizer. */
const estimateTokens = (text: string) => Math.ceil(text.length / 4);

function describe(totals: UsageTotals): string {
  const cache = totals.cacheRead || totals.cacheCreation ? ` (cache read ${count(totals.cacheRead)}, cache write ${count(totals.cacheCreation)})` : "";
  return `input ${count(totals.input)}${cache}, output ${count(totals.output)}, cost ${dollars(totals.cost)}`;
}

export const tokensCommand: SlashCommand = {
  name: "tokens",
  aliases: ["cost"],
  description: "Show token usage and cost",
  async run(_argumentText, { chat, terminal }) {
    const messages = await chat.store.messages(chat.conversationId);
    const byModel = usageByModel(messages);
    const total = emptyTotals();
    for (const [model, totals] of byModel) {
      terminal.write(`  ${terminal.styles.apply("bold", model)}: ${plural(totals.replies, "reply", "replies")}, ${describe(totals)}\n`);
      for (const key of Object.keys(total) as Array<keyof UsageTotals>) total[key] += totals[key];
    }
    if (byModel.size === 0) terminal.write("  No usage recorded yet.\n");
    terminal.write(`Total: ${describe(total)}\n`);
    const context = messages.reduce((sum, message) => sum + estimateTokens(message.content), 0);
    terminal.write(terminal.styles.apply("dim", `Context now: about ${plural(context, "token")} in ${plural(messages.length, "message")}\n`));
    return undefined;
  },
};

export const contextCommand: SlashCommand = {
  name: "context",
  description: "Show what the model is sent, by kind (estimated tokens)",
  async run(_argumentText, { chat, terminal }) {
    const messages = await chat.store.messages(chat.conversationId);
    const parts: Array<[string, (message: Message) => boolean]> = [
      ["System prompt", (message) => message.role === "system" && message.pinned === true],
      ["Your messages", (message) => message.role === "user"],
      ["Replies", (message) => message.role === "assistant"],
      ["Tool outputs", (message) => message.role === "system" && !message.pinned],
    ];
    let total = 0;
    for (const [label, matches] of parts) {
      const selected = messages.filter(matches);
      const tokens = selected.reduce((sum, message) => sum + estimateTokens(message.content), 0);
      total += tokens;
      terminal.write(`  ${label.padEnd(14)} ${count(tokens).padStart(9)} ${tokens === 1 ? "token " : "tokens"}  ${terminal.styles.apply("dim", plural(selected.length, "message"))}\n`);
    }
    terminal.write(`  ${"Total".padEnd(14)} ${count(total).padStart(9)} ${total === 1 ? "token " : "tokens"}  ${terminal.styles.apply("dim", "(about 4 characters a token)")}\n`);
    return undefined;
  },
};
