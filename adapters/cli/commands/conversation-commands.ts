/** Commands about the conversation itself: `/rename`, `/fork`, `/model`, `/tools`. */
import { conversationIdFor } from "../../../runtime/conversations/names.js";
import { createNamer } from "../../../runtime/sessions/auto-name.js";
import { validateConversationId } from "../arguments.js";
import { CliError } from "../exit.js";
import { askLine, type SlashCommand } from "./command.js";
import { mcpServerLines } from "./mcp-listing.js";

export const renameCommand: SlashCommand = {
  name: "rename",
  arguments: "[name|auto]",
  description: "Rename the conversation ('auto' lets the model choose)",
  async run(argumentText, context) {
    const { chat, terminal } = context;
    const requested = argumentText || (await askLine(context, "New name (or 'auto'): "));
    if (!requested) return;
    const name = requested === "auto" ? await createNamer(chat.store)(chat.conversationId, chat.model) : requested;
    if (!name) throw new CliError("There is nothing to name yet: the conversation has no reply");
    await chat.store.rename(chat.conversationId, name);
    terminal.write(`Renamed to ${terminal.styles.apply("bold", name)}\n`);
    return undefined;
  },
};

export const forkCommand: SlashCommand = {
  name: "fork",
  arguments: "[id]",
  description: "Copy the conversation under a new id and continue in the copy",
  async run(argumentText, { chat, terminal }) {
    let id = argumentText;
    if (id) {
      validateConversationId(id);
      if (await chat.store.get(id)) throw new CliError(`A conversation named ${id} already exists`);
    } else {
      do id = conversationIdFor();
      while (await chat.store.get(id));
    }
    const conversation = await chat.conversation();
    const { main = [], ...others } = await chat.store.branches(chat.conversationId);
    const name = conversation.config.chat.name ? `${conversation.config.chat.name} (fork)` : undefined;
    const config = { ...conversation.config, chat: { ...conversation.config.chat, name } };
    await chat.store.create({ id, name, config, workspace: conversation.workspace, messages: main });
    try {
      for (const [branch, messages] of Object.entries(others)) await chat.store.append(id, messages, branch);
    } catch (error) {
      await chat.store.delete(id);
      throw error;
    }
    const original = chat.conversationId;
    chat.conversationId = id;
    terminal.write(`Forked ${original} into ${terminal.styles.apply("bold", id)}; you are now in the copy.\n`);
    return undefined;
  },
};

export const modelCommand: SlashCommand = {
  name: "model",
  aliases: ["models"],
  arguments: "[provider/model]",
  description: "List the models, or switch to one",
  async run(argumentText, { chat, terminal }) {
    const { styles } = terminal;
    if (!argumentText) {
      terminal.write(`Current model: ${styles.apply("bold", chat.model.id)}\n`);
      for (const model of chat.models.list()) {
        const marker = model.id === chat.model.id ? styles.apply("green", "*") : " ";
        const price = model.price_input || model.price_output ? `  $${model.price_input}/$${model.price_output} per Mtok` : "";
        terminal.write(`${marker} ${model.id}${styles.apply("dim", `  ${model.context.toLocaleString("en-US")} context${price}`)}\n`);
      }
      return;
    }
    const model = chat.models.resolve(argumentText);
    await chat.service.updateConfig(chat.conversationId, { chat: { model: model.id } });
    chat.model = model;
    terminal.write(`Switched to ${styles.apply("bold", model.id)}\n`);
    return undefined;
  },
};

export const toolsCommand: SlashCommand = {
  name: "tools",
  description: "List the tools of this conversation",
  async run(_argumentText, { chat, terminal }) {
    const tools = (await chat.tools()).all();
    const format = (await chat.conversation()).config.chat.tool_format ?? "markdown";
    if (tools.length === 0) terminal.write("No tools are enabled.\n");
    for (const tool of tools) {
      terminal.write(`  ${terminal.styles.apply("bold", tool.name.padEnd(8))} ${tool.description}${terminal.styles.apply("dim", `  (${tool.blockTypes.join(", ")})`)}\n`);
    }
    for (const line of await mcpServerLines(chat, terminal)) terminal.write(`${line}\n`);
    terminal.write(terminal.styles.apply("dim", `Tool format: ${format}\n`));
    return undefined;
  },
};
