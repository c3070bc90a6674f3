/** `/tokens` (alias `/cost`): usage and cost from the replies' metadata; `/context`: what the model is sent. */
import {
  contextBreakdown,
  describeUsage,
  emptyTotals,
  estimateTokens,
  formatCount,
  usageByModel,
  type UsageTotals,
} from "../../../runtime/commands/history.js";
import { plural } from "../plural.js";
import type { SlashCommand } from "./command.js";

export const tokensCommand: SlashCommand = {
  name: "tokens",
  aliases: ["cost"],
  description: "Show token usage and cost",
  async run(_argumentText, { chat, terminal }) {
    const messages = await chat.store.messages(chat.conversationId);
    const byModel = usageByModel(messages);
    const total = emptyTotals();
    for (const [model, totals] of byModel) {
      terminal.write(`  ${terminal.styles.apply("bold", model)}: ${plural(totals.replies, "reply", "replies")}, ${describeUsage(totals)}\n`);
      for (const key of Object.keys(total) as Array<keyof UsageTotals>) total[key] += totals[key];
    }
    if (byModel.size === 0) terminal.write("  No usage recorded yet.\n");
    terminal.write(`Total: ${describeUsage(total)}\n`);
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
    let total = 0;
    for (const { label, tokens, count } of contextBreakdown(messages)) {
      total += tokens;
      terminal.write(`  ${label.padEnd(14)} ${formatCount(tokens).padStart(9)} ${tokens === 1 ? "token " : "tokens"}  ${terminal.styles.apply("dim", plural(count, "message"))}\n`);
    }
    terminal.write(`  ${"Total".padEnd(14)} ${formatCount(total).padStart(9)} ${total === 1 ? "token " : "tokens"}  ${terminal.styles.apply("dim", "(about 4 characters a token)")}\n`);
    return undefined;
  },
};
