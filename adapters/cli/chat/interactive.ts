/**
 * The interactive chat: prompts from the command line first, then a `User:` prompt with history.
 * Lines starting with `/word` are slash commands. Ctrl-C interrupts the reply or the tool; at an
 * empty prompt a second Ctrl-C in a row exits with 130; Ctrl-D or /exit leaves with 0.
 */
import { join } from "node:path";
import { isSlashCommand, runSlashCommand } from "../commands/index.js";
import type { CommandContext } from "../commands/command.js";
import { EXIT_INTERRUPTED, EXIT_SUCCESS } from "../exit.js";
import { editText } from "../terminal/editor.js";
import { PromptHistory } from "../terminal/history.js";
import { createLineReader } from "../terminal/line-reader.js";
import type { Terminal } from "../terminal/terminal.js";
import { createToolConfirmer } from "./confirm-tool.js";
import { createEventPrinter } from "./event-printer.js";
import { AutoConfirm, Interrupts } from "./interrupts.js";
import { roleLabel, visibleMessages } from "./message-view.js";
import type { Chat } from "./open-chat.js";
import { addUserMessage, runTurn } from "./turn.js";

export async function runInteractive(chat: Chat, terminal: Terminal, input: NodeJS.ReadableStream, prompts: string[]): Promise<number> {
  const { styles } = terminal;
  const reader = createLineReader(input, process.stdout);
  const history = PromptHistory.load(join(chat.dataDirectory, "history"));
  const printer = createEventPrinter(terminal, { reportErrors: true });
  const autoConfirm = new AutoConfirm(chat.options.noConfirm ? Number.POSITIVE_INFINITY : 0);
  const interrupts = new Interrupts(() => undefined);
  const edit = (text: string, fileName: string) => editText(text, { fileName });
  const confirm = createToolConfirmer({ terminal, reader, autoConfirm, edit, interrupt: () => interrupts.abort() });
  const turn = { printer, confirm, autoConfirm, interrupts };
  const context: CommandContext = { chat, terminal, printer, reader, turn, edit };

  const attempt = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      printer.settle();
      terminal.warn(`${styles.apply("red", `Error: ${error instanceof Error ? error.message : String(error)}`)}\n`);
      if (chat.options.verbose && error instanceof Error && error.stack) terminal.warn(`${error.stack}\n`);
    }
  };
  const send = (text: string) => attempt(async () => {
    await addUserMessage(chat, text);
    await runTurn(chat, turn);
  });

  interrupts.install();
  try {
    if (chat.resumed) {
      for (const message of visibleMessages(await chat.store.messages(chat.conversationId), chat.options.showHidden)) printer.message(message);
    }
    terminal.write(`${styles.apply("dim", `${chat.conversationId} · ${chat.model.id} · ${(await chat.conversation()).workspace} · /help for commands`)}\n`);
    for (const prompt of prompts) {
      terminal.write(`${roleLabel("user", styles)}${prompt}\n`);
      await send(prompt);
    }
    if (prompts.length === 0 && (await chat.store.messages(chat.conversationId)).at(-1)?.role === "user") {
      await attempt(async () => void (await runTurn(chat, turn)));
    }
    let interruptedBefore = false;
    for (;;) {
      const answer = await reader.ask(roleLabel("user", styles), { history });
      if (answer.kind === "end") return EXIT_SUCCESS;
      if (answer.kind === "interrupt") {
        if (answer.hadText) continue;
        if (interruptedBefore) return EXIT_INTERRUPTED;
        interruptedBefore = true;
        terminal.write(`${styles.apply("dim", "(press Ctrl-C again to exit, or type /exit)")}\n`);
        continue;
      }
      interruptedBefore = false;
      const text = answer.text.trim();
      if (!text) continue;
      if (isSlashCommand(text)) {
        let exit = false;
        await attempt(async () => {
          exit = (await runSlashCommand(text, context)) === "exit";
        });
        if (exit) return EXIT_SUCCESS;
        continue;
      }
      await send(text);
    }
  } finally {
    interrupts.uninstall();
  }
}
