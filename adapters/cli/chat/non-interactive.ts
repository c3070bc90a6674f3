/**
 * `gptme -n`: answers the prompts one after the other, running every tool without asking, then
 * exits: 0 when done, 1 on an error (reported as one line), 130 on Ctrl-C.
 */
import type { Message } from "../../../runtime/store/types.js";
import { CliError, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_SUCCESS, exitAfterFlush, reportError } from "../exit.js";
import type { Terminal } from "../terminal/terminal.js";
import { createEventPrinter } from "./event-printer.js";
import { attachMcp } from "./chat-mcp.js";
import { AutoConfirm, Interrupts } from "./interrupts.js";
import type { Chat } from "./open-chat.js";
import { addUserMessage, runTurn } from "./turn.js";

export function nothingToDo(): CliError {
  return new CliError("Nothing to do: give a prompt, e.g. gptme -n 'write hello.py'");
}

export async function runNonInteractive(chat: Chat, terminal: Terminal, prompts: string[]): Promise<number> {
  const printer = createEventPrinter(terminal, { reportErrors: false });
  const interrupts = new Interrupts(() => exitAfterFlush(EXIT_INTERRUPTED));
  const dependencies = {
    printer,
    confirm: async () => ({ action: "confirm" as const }),
    autoConfirm: new AutoConfirm(Number.POSITIVE_INFINITY),
    interrupts,
  };
  const messages = await chat.store.messages(chat.conversationId);
  if (prompts.length === 0 && messages.at(-1)?.role !== "user") {
    throw nothingToDo();
  }
  await attachMcp(chat, terminal);
  interrupts.install();
  try {
    for (const prompt of prompts.length > 0 ? prompts : [null]) {
      if (prompt !== null) {
        const message: Message = { role: "user", content: prompt, timestamp: new Date().toISOString() };
        printer.message(message);
        await addUserMessage(chat, prompt);
      }
      const outcome = await runTurn(chat, dependencies);
      if (outcome === "interrupted") return EXIT_INTERRUPTED;
      if (outcome === "error" || outcome === "stopped") {
        reportError("gptme", new Error(printer.lastError() ?? "the run stopped"), chat.options.verbose);
        return EXIT_ERROR;
      }
    }
    return EXIT_SUCCESS;
  } finally {
    interrupts.uninstall();
  }
}
