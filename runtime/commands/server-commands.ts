/**
 * Slash commands posted as messages through the API (`POST /api/v2/conversations/{id}` with
 * `/undo`, `/model ...`), as gptme HEAD runs them: the command message itself is not kept, a
 * command may change the log or the config, and what the CLI would print is its `output`.
 * Commands that only make sense in a terminal are refused in server mode.
 */
import { NotFoundError } from "../errors.js";
import type { ModelRegistry } from "../models/model.js";
import type { ConversationService } from "../runtime.js";
import type { ChatConfig, ConversationStore, Message } from "../store/types.js";
import {
  contextBreakdown,
  describeUsage,
  emptyTotals,
  estimateTokens,
  formatCount,
  previewOf,
  undoLast,
  usageByModel,
  type UsageTotals,
} from "./history.js";
import { parseSlashCommand } from "./parse.js";

export interface ServerCommandContext {
  conversationId: string;
  store: ConversationStore;
  models: ModelRegistry;
  conversations: ConversationService;
  /** Names the conversation with the model (`/rename auto`); null when there is nothing to name yet. */
  autoName: (conversationId: string) => Promise<string | null>;
}

export interface CommandResult {
  /** What the command reports (the CLI prints it); empty when it has nothing to say. */
  output: string;
  /** True when the main branch changed (clients reload it). */
  logChanged: boolean;
  /** The new config and what changed in it, when the command changed it. */
  config: { config: ChatConfig; changedFields: string[] } | null;
}

interface ServerCommand {
  name: string;
  aliases?: string[];
  arguments?: string;
  description: string;
  run(argumentText: string, context: ServerCommandContext): Promise<CommandResult>;
}

const said = (output: string): CommandResult => ({ output, logChanged: false, config: null });

/** gptme HEAD's `_SERVER_BLOCKED_COMMANDS`, with the aliases of the same commands. */
export const blockedCommands: ReadonlyArray<{ name: string; description: string }> = [
  { name: "exit", description: "Exit the program (not in server mode)" },
  { name: "quit", description: "Exit the program (not in server mode)" },
  { name: "restart", description: "Restart the process (not in server mode)" },
  { name: "edit", description: "Edit the conversation in your editor (not in server mode)" },
  { name: "delete", description: "Delete a conversation (not in server mode; use DELETE)" },
  { name: "rm", description: "Delete a conversation (not in server mode; use DELETE)" },
];

async function conversationOf(context: ServerCommandContext) {
  const conversation = await context.store.get(context.conversationId);
  if (!conversation) throw new NotFoundError(`Conversation not found: ${context.conversationId}`);
  return conversation;
}

const undoCommand: ServerCommand = {
  name: "undo",
  arguments: "[N]",
  description: "Undo the last action (remove the last N messages, default 1)",
  async run(argumentText, context) {
    const count = /^\d+$/.test(argumentText) ? Number(argumentText) : 1;
    const { kept, removed } = undoLast(await context.store.messages(context.conversationId), count);
    if (removed.length === 0) return said("Nothing to undo.");
    await context.store.replaceMessages(context.conversationId, kept);
    const lines = removed.reverse().map((message) => `  ${message.role}: ${previewOf(message, 50)}`);
    return { output: `Undid ${removed.length} message${removed.length === 1 ? "" : "s"}:\n${lines.join("\n")}`, logChanged: true, config: null };
  },
};

const logCommand: ServerCommand = {
  name: "log",
  description: "Show the conversation log",
  async run(_argumentText, context) {
    const messages = (await context.store.messages(context.conversationId)).filter((message) => !message.hide);
    if (messages.length === 0) return said("The conversation is empty.");
    return said(messages.map((message, index) => `${index}. ${message.role}: ${previewOf(message)}`).join("\n"));
  },
};

const renameCommand: ServerCommand = {
  name: "rename",
  arguments: "<name|auto>",
  description: "Rename the conversation ('auto' lets the model choose)",
  async run(argumentText, context) {
    if (!argumentText) return said("Usage: /rename <name>, or /rename auto");
    const name = argumentText === "auto" ? await context.autoName(context.conversationId) : argumentText;
    if (!name) return said("There is nothing to name yet: the conversation has no reply.");
    await context.store.rename(context.conversationId, name);
    const conversation = await conversationOf(context);
    return { output: `Renamed to ${name}`, logChanged: false, config: { config: conversation.config, changedFields: ["name"] } };
  },
};

const modelCommand: ServerCommand = {
  name: "model",
  arguments: "[provider/model]",
  description: "Show or switch the current model",
  async run(argumentText, context) {
    const conversation = await conversationOf(context);
    const current = conversation.config.chat.model || context.models.defaultModel() || "(none configured)";
    if (!argumentText) return said(`Current model: ${current}`);
    const model = context.models.resolve(argumentText);
    const { config } = await context.conversations.updateConfig(context.conversationId, { chat: { model: model.id } });
    return { output: `Switched to ${model.id}`, logChanged: false, config: { config, changedFields: ["model"] } };
  },
};

const modelsCommand: ServerCommand = {
  name: "models",
  description: "List available models",
  async run(_argumentText, context) {
    const chosen = (await conversationOf(context)).config.chat.model || context.models.defaultModel();
    const lines = context.models.list().map((model) => {
      const price = model.price_input || model.price_output ? `  $${model.price_input}/$${model.price_output} per Mtok` : "";
      return `${model.id === chosen ? "*" : " "} ${model.id}  ${formatCount(model.context)} context${price}`;
    });
    return said(lines.length > 0 ? lines.join("\n") : "No models: no provider is configured.");
  },
};

const toolsCommand: ServerCommand = {
  name: "tools",
  description: "Show the tools of this conversation",
  async run(_argumentText, context) {
    const conversation = await conversationOf(context);
    const tools = conversation.config.chat.tools ?? [];
    const format = conversation.config.chat.tool_format ?? "markdown";
    return said(`${tools.length === 0 ? "No tools are enabled." : `Tools: ${tools.join(", ")}`}\nTool format: ${format}`);
  },
};

const tokensCommand: ServerCommand = {
  name: "tokens",
  aliases: ["cost"],
  description: "Show token usage and costs",
  async run(_argumentText, context) {
    const messages = await context.store.messages(context.conversationId);
    const byModel = usageByModel(messages);
    const total = emptyTotals();
    const lines: string[] = [];
    for (const [model, totals] of byModel) {
      lines.push(`  ${model}: ${totals.replies} repl${totals.replies === 1 ? "y" : "ies"}, ${describeUsage(totals)}`);
      for (const key of Object.keys(total) as Array<keyof UsageTotals>) total[key] += totals[key];
    }
    if (byModel.size === 0) lines.push("  No usage recorded yet.");
    lines.push(`Total: ${describeUsage(total)}`);
    const contextTokens = messages.reduce((sum, message) => sum + estimateTokens(message.content), 0);
    lines.push(`Context now: about ${formatCount(contextTokens)} tokens in ${messages.length} messages`);
    return said(lines.join("\n"));
  },
};

const contextCommand: ServerCommand = {
  name: "context",
  description: "Show context token breakdown (estimated)",
  async run(_argumentText, context) {
    const parts = contextBreakdown(await context.store.messages(context.conversationId));
    const total = parts.reduce((sum, part) => sum + part.tokens, 0);
    const lines = parts.map((part) => `  ${part.label.padEnd(14)} ${formatCount(part.tokens).padStart(9)} tokens  ${part.count} messages`);
    lines.push(`  ${"Total".padEnd(14)} ${formatCount(total).padStart(9)} tokens  (about 4 characters a token)`);
    return said(lines.join("\n"));
  },
};

const helpCommand: ServerCommand = {
  name: "help",
  description: "Show this help message",
  async run() {
    const lines = commands.map((command) => {
      const usage = `/${command.name}${command.arguments ? ` ${command.arguments}` : ""}`;
      const aliases = command.aliases ? ` (also /${command.aliases.join(", /")})` : "";
      return `  ${usage.padEnd(26)} ${command.description}${aliases}`;
    });
    return said(`Commands:\n${lines.join("\n")}\nNot in server mode: ${blockedCommands.map((command) => `/${command.name}`).join(", ")}`);
  },
};

const commands: ServerCommand[] = [
  logCommand,
  undoCommand,
  renameCommand,
  modelCommand,
  modelsCommand,
  toolsCommand,
  tokensCommand,
  contextCommand,
  helpCommand,
];

/** Every command name a client can send, with `/` (gptme's `get_user_commands`), including those refused in server mode. */
export function commandNames(): string[] {
  const names = commands.flatMap((command) => [command.name, ...(command.aliases ?? [])]);
  return [...names, ...blockedCommands.map((command) => command.name)].map((name) => `/${name}`);
}

/** The name of a refused command (`/exit`), or null. */
export function blockedCommandOf(content: string): string | null {
  const { name } = parseSlashCommand(content);
  return blockedCommands.some((command) => command.name === name) ? name : null;
}

export async function runServerCommand(content: string, context: ServerCommandContext): Promise<CommandResult> {
  const { name, argumentText } = parseSlashCommand(content);
  const command = commands.find((candidate) => candidate.name === name || candidate.aliases?.includes(name));
  if (!command) return said(`Unknown command: /${name}. Use /help to see available commands.`);
  return command.run(argumentText, context);
}
