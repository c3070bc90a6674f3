/** What a slash command is and what it may use. */
import type { EventPrinter } from "../chat/event-printer.js";
import type { Chat } from "../chat/open-chat.js";
import type { TurnDependencies } from "../chat/turn.js";
import type { LineReader } from "../terminal/line-reader.js";
import type { Terminal } from "../terminal/terminal.js";

export interface CommandContext {
  chat: Chat;
  terminal: Terminal;
  printer: EventPrinter;
  reader: LineReader;
  /** For commands that run tools (`/impersonate`, `/replay`). */
  turn: TurnDependencies;
  /** Opens $EDITOR on a text. */
  edit: (text: string, fileName: string) => string;
}

export type CommandResult = "exit" | undefined;

export interface SlashCommand {
  name: string;
  aliases?: string[];
  /** Shown in /help after the name, e.g. `[N]`. */
  arguments?: string;
  description: string;
  run(argumentText: string, context: CommandContext): Promise<CommandResult>;
}

/** Asks a question on the prompt line; null when the user interrupts or gives nothing. */
export async function askLine(context: CommandContext, question: string): Promise<string | null> {
  const answer = await context.reader.ask(question);
  if (answer.kind !== "line") return null;
  return answer.text.trim() || null;
}
