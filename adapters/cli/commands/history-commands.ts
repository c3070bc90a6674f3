/** Commands that look at or change the messages: `/undo`, `/log`, `/edit`, `/impersonate`, `/replay`. */
import { parseToolUses } from "../../../runtime/agent/parse/index.js";
import { parseOptionsFor } from "../../../runtime/agent/tool-use-wire.js";
import { previewOf, undoLast } from "../../../runtime/commands/history.js";
import type { Message } from "../../../runtime/store/types.js";
import { AutoConfirm } from "../chat/interrupts.js";
import { visibleMessages } from "../chat/message-view.js";
import { runToolUsesOf } from "../chat/turn.js";
import { CliError } from "../exit.js";
import { plural } from "../plural.js";
import { askLine, type SlashCommand } from "./command.js";
import { messagesFromToml, messagesToToml } from "./conversation-toml.js";

export const undoCommand: SlashCommand = {
  name: "undo",
  arguments: "[N]",
  description: "Undo the last action (remove the last N messages, default 1)",
  async run(argumentText, { chat, terminal }) {
    const count = argumentText ? Number(argumentText) : 1;
    if (!Number.isInteger(count) || count < 1) throw new CliError("Usage: /undo [N], with N a positive whole number");
    const { kept, removed } = undoLast(await chat.store.messages(chat.conversationId), count);
    if (removed.length === 0) {
      terminal.write("Nothing to undo.\n");
      return;
    }
    await chat.store.replaceMessages(chat.conversationId, kept);
    for (const message of removed.reverse()) {
      terminal.write(`${terminal.styles.apply("yellow", "Undid")} ${message.role}: ${previewOf(message)}\n`);
    }
    return undefined;
  },
};

export const logCommand: SlashCommand = {
  name: "log",
  arguments: "[--hidden]",
  description: "Show the conversation",
  async run(argumentText, { chat, printer }) {
    const showHidden = chat.options.showHidden || argumentText === "--hidden";
    for (const message of visibleMessages(await chat.store.messages(chat.conversationId), showHidden)) printer.message(message);
    return undefined;
  },
};

export const editCommand: SlashCommand = {
  name: "edit",
  description: "Edit the conversation in $EDITOR (as TOML)",
  async run(_argumentText, { chat, terminal, edit }) {
    const messages = await chat.store.messages(chat.conversationId);
    const original = messagesToToml(messages);
    const edited = edit(original, `${chat.conversationId}.toml`);
    if (edited === original) {
      terminal.write("No changes.\n");
      return;
    }
    const updated = messagesFromToml(edited);
    const branches = await chat.store.branches(chat.conversationId);
    let backup = 0;
    while (`main-edit-${backup}` in branches) backup += 1;
    await chat.store.replaceMessages(chat.conversationId, messages, `main-edit-${backup}`);
    await chat.store.replaceMessages(chat.conversationId, updated);
    terminal.write(`Saved ${plural(updated.length, "message")} (the previous version is in branch main-edit-${backup}).\n`);
    return undefined;
  },
};

export const impersonateCommand: SlashCommand = {
  name: "impersonate",
  arguments: "[text]",
  description: "Write the assistant's next message yourself (its tool uses run)",
  async run(argumentText, context) {
    const { chat, printer, turn } = context;
    const content = argumentText || (await askLine(context, "Assistant: "));
    if (!content) return;
    const message: Message = { role: "assistant", content, timestamp: new Date().toISOString() };
    await chat.store.append(chat.conversationId, [message]);
    if (argumentText) printer.message(message);
    await runToolUsesOf(chat, content, turn, async (output) => void (await chat.store.append(chat.conversationId, [output])));
    return undefined;
  },
};

export const replayCommand: SlashCommand = {
  name: "replay",
  description: "Run the conversation's tool uses again (outputs shown, not stored)",
  async run(_argumentText, context) {
    const { chat, terminal, turn } = context;
    const conversation = await chat.conversation();
    const options = parseOptionsFor(await chat.tools(), conversation.config.chat.tool_format ?? "markdown");
    const replies = (await chat.store.messages(chat.conversationId)).filter((message) => message.role === "assistant");
    const count = replies.reduce((total, message) => total + parseToolUses(message.content, options).length, 0);
    if (count === 0) {
      terminal.write("There are no tool uses to replay.\n");
      return;
    }
    if (!chat.options.noConfirm) {
      const answer = await askLine(context, `Replay ${plural(count, "tool use")}? [y/N] `);
      if (!answer || !/^y(es)?$/i.test(answer)) return;
    }
    const unattended = { ...turn, autoConfirm: new AutoConfirm(Number.POSITIVE_INFINITY) };
    for (const reply of replies) {
      const ending = await runToolUsesOf(chat, reply.content, unattended, async () => undefined);
      if (ending !== "done") break;
    }
    return undefined;
  },
};
