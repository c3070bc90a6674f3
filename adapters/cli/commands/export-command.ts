/** `/export [file]`: the conversation as HTML (gptme's default) or markdown (`.md`). */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { visibleMessages } from "../chat/message-view.js";
import { plural } from "../plural.js";
import type { SlashCommand } from "./command.js";

export const exportCommand: SlashCommand = {
  name: "export",
  arguments: "[file.html|file.md]",
  description: "Export the conversation as HTML or markdown",
  async run(argumentText, { chat, terminal }) {
    const conversation = await chat.conversation();
    const file = resolve(argumentText || `${chat.conversationId}.html`);
    const messages = visibleMessages(await chat.store.messages(chat.conversationId), chat.options.showHidden);
    const { conversationHtml, conversationMarkdown } = await import("./conversation-export.js");
    const document = { id: conversation.id, name: conversation.name, messages };
    const markdown = /\.(md|markdown)$/i.test(file);
    writeFileSync(file, markdown ? conversationMarkdown(document) : conversationHtml(document));
    terminal.write(`Exported ${plural(messages.length, "message")} to ${file}\n`);
    return undefined;
  },
};
