/** `gptme [PROMPTS...]` after argument parsing: opens the conversation and runs the chosen mode. */
import { openSync } from "node:fs";
import { ReadStream } from "node:tty";
import type { ChatOptions } from "../arguments.js";
import { CliError } from "../exit.js";
import { processTerminal } from "../terminal/terminal.js";
import { runInteractive } from "./interactive.js";
import { nothingToDo, runNonInteractive } from "./non-interactive.js";
import { openChat } from "./open-chat.js";

export async function runChat(options: ChatOptions): Promise<number> {
  const terminal = processTerminal();
  const prompts = withPipedInput(options.prompts, process.stdin.isTTY ? "" : await readAll(process.stdin));
  const input = options.nonInteractive ? null : terminalInput();
  if (!options.nonInteractive && !input) {
    throw new CliError("There is no terminal to read from: pass -n (--non-interactive) to run the prompts and exit");
  }
  if (options.nonInteractive && prompts.length === 0 && !options.name && !options.resume) throw nothingToDo();
  const chat = await openChat(options);
  try {
    if (options.verbose) {
      terminal.warn(`database ${chat.databasePath}, conversation ${chat.conversationId}, model ${chat.model.id}\n`);
    }
    return input ? await runInteractive(chat, terminal, input, prompts) : await runNonInteractive(chat, terminal, prompts);
  } finally {
    await chat.close();
    if (input && input !== process.stdin) input.destroy();
  }
}

/** Like gptme, piped input becomes a `stdin` block of the first prompt (or the prompt itself). */
export function withPipedInput(prompts: string[], piped: string): string[] {
  const text = piped.replace(/\n+$/, "");
  if (!text.trim()) return prompts;
  const block = `\`\`\`stdin\n${text}\n\`\`\``;
  if (prompts.length === 0) return [block];
  return [`${prompts[0]}\n\n${block}`, ...prompts.slice(1)];
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  stream.setEncoding("utf8");
  for await (const chunk of stream) text += chunk as string;
  return text;
}

/** stdin when it is a terminal; after piped input, the controlling terminal (gptme reopens /dev/tty). */
function terminalInput(): (NodeJS.ReadableStream & { isTTY?: boolean; destroy(): void }) | null {
  if (process.stdin.isTTY) return process.stdin;
  try {
    return new ReadStream(openSync("/dev/tty", "r"));
  } catch {
    return null;
  }
}
