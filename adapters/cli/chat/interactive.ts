/**
 * The interactive chat: prompts from the command line first, then a `User:` prompt with history.
 * Lines starting with `/word` are slash commands. Ctrl-C interrupts the reply or the tool; at an
 * empty prompt a second Ctrl-C in a row exits with 130; Ctrl-D or /exit leaves with 0, whatever
 * was interrupted before (Ctrl-C is read as a key, so it never reaches the programs around gptme).
 */
import { join } from "node:path";
import type { CommandContext } from "../commands/command.js";
import { isSlashCommand, runSlashCommand } from "../commands/index.js";
import { EXIT_INTERRUPTED, EXIT_SUCCESS } from "../exit.js";
import { editText } from "../terminal/editor.js";
import { PromptHistory } from "../terminal/history.js";
import { InterruptKeys, type KeyboardInput } from "../terminal/interrupt-keys.js";
import { createLineReader, type LineReader } from "../terminal/line-reader.js";
import type { Terminal } from "../terminal/terminal.js";
import { attachMcp } from "./chat-mcp.js";
import { createToolConfirmer } from "./confirm-tool.js";
import { createEventPrinter } from "./event-printer.js";
import { AutoConfirm, Interrupts } from "./interrupts.js";
import { roleLabel, visibleMessages } from "./message-view.js";
import type { Chat } from "./open-chat.js";
import { addUserMessage, runTurn } from "./turn.js";

export async function runInteractive(chat: Chat, terminal: Terminal, input: NodeJS.ReadableStream, prompts: string[]): Promise<number> {
  const printer = createEventPrinter(terminal, { reportErrors: true });
  const autoConfirm = new AutoConfirm(chat.options.noConfirm ? Number.POSITIVE_INFINITY : 0);
  const interrupts = new Interrupts(() => undefined);
  const keys = new InterruptKeys(input as KeyboardInput, interrupts.interrupt);
  const lineReader = createLineReader(input, process.stdout);
  const reader: LineReader = { ask: (prompt, options) => keys.pausedAsync(() => lineReader.ask(prompt, options)) };
  const edit = (text: string, fileName: string) => keys.paused(() => editText(text, { fileName }));
  const confirm = createToolConfirmer({
    terminal,
    reader,
    autoConfirm,
    edit,
    interrupt: () => interrupts.abort(),
    shownReply: () => printer.shownReply(),
  });
  const context: CommandContext = { chat, terminal, printer, reader, turn: { printer, confirm, autoConfirm, interrupts }, edit };
  await attachMcp(chat, terminal, { reader, settle: () => printer.settle() });
  interrupts.install();
  keys.start();
  try {
    await greet(context);
    for (const prompt of prompts) {
      terminal.write(`${roleLabel("user", terminal.styles)}${prompt}\n`);
      await send(context, prompt);
    }
    const unanswered = (await chat.store.messages(chat.conversationId)).at(-1)?.role === "user";
    if (prompts.length === 0 && unanswered) await attempt(context, async () => void (await runTurn(chat, context.turn)));
    return await promptLoop(context, PromptHistory.load(join(chat.dataDirectory, "history")));
  } finally {
    keys.stop();
    interrupts.uninstall();
  }
}

async function greet({ chat, terminal, printer }: CommandContext): Promise<void> {
  if (chat.resumed) {
    const messages = await chat.store.messages(chat.conversationId);
    for (const message of visibleMessages(messages, chat.options.showHidden)) printer.message(message);
  }
  const workspace = (await chat.conversation()).workspace;
  terminal.write(`${terminal.styles.apply("dim", `${chat.conversationId} · ${chat.model.id} · ${workspace} · /help for commands`)}\n`);
}

async function promptLoop(context: CommandContext, history: PromptHistory): Promise<number> {
  const { terminal, reader } = context;
  let interruptedBefore = false;
  for (;;) {
    const answer = await reader.ask(roleLabel("user", terminal.styles), { history });
    if (answer.kind === "end") return EXIT_SUCCESS;
    if (answer.kind === "interrupt") {
      if (answer.hadText) continue;
      if (interruptedBefore) return EXIT_INTERRUPTED;
      interruptedBefore = true;
      terminal.write(`${terminal.styles.apply("dim", "(press Ctrl-C again to exit, or type /exit)")}\n`);
      continue;
    }
    interruptedBefore = false;
    const text = answer.text.trim();
    if (!text) continue;
    if (!isSlashCommand(text)) {
      await send(context, text);
      continue;
    }
    let exit = false;
    await attempt(context, async () => {
      exit = (await runSlashCommand(text, context)) === "exit";
    });
    if (exit) return EXIT_SUCCESS;
  }
}

function send(context: CommandContext, text: string): Promise<void> {
  return attempt(context, async () => {
    await addUserMessage(context.chat, text);
    await runTurn(context.chat, context.turn);
  });
}

/** A failure inside the chat is shown as one line and the chat goes on. */
async function attempt({ chat, terminal, printer }: CommandContext, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    printer.settle();
    terminal.warn(`${terminal.styles.apply("red", `Error: ${error instanceof Error ? error.message : String(error)}`)}\n`);
    if (chat.options.verbose && error instanceof Error && error.stack) terminal.warn(`${error.stack}\n`);
  }
}
