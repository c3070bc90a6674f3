/**
 * Shows the agent loop's events: a spinner until the first token, the reply streamed as markdown,
 * tool outputs as `System:` messages, interruptions and errors.
 */
import type { AgentEvent } from "../../../runtime/agent/types.js";
import type { Message } from "../../../runtime/store/types.js";
import { MarkdownStream } from "../terminal/markdown-stream.js";
import { Spinner } from "../terminal/spinner.js";
import type { Terminal } from "../terminal/terminal.js";
import { formatMessage, roleLabel } from "./message-view.js";

export interface EventPrinter {
  handle(event: AgentEvent): void;
  /** Prints a message as the log shows it. */
  message(message: Message): void;
  /** Ends whatever is in progress (spinner, a streamed line). */
  settle(): void;
  /** The last `error` event's text (for the exit message of a non-interactive run). */
  lastError(): string | null;
  /** The text of the reply shown last (streamed or printed), so a confirmation need not repeat it. */
  shownReply(): string;
}

export interface EventPrinterOptions {
  /** Print `error` events to stderr (interactive); a non-interactive run reports its error once on exit. */
  reportErrors: boolean;
}

export function createEventPrinter(terminal: Terminal, options: EventPrinterOptions): EventPrinter {
  const { styles } = terminal;
  const spinner = new Spinner(terminal.write, terminal.isTTY);
  let stream: MarkdownStream | null = null;
  let pendingTool = "tool";
  let lastSystemText = "";
  let lastError: string | null = null;
  let shownReply = "";

  const settle = () => {
    spinner.stop();
    if (stream) {
      stream.end();
      if (!stream.atLineStart) terminal.write("\n");
      stream = null;
    }
  };

  const print = (message: Message) => {
    settle();
    if (message.role === "assistant") shownReply = message.content;
    terminal.write(formatMessage(message, styles));
  };

  return {
    settle,
    message: print,
    lastError: () => lastError,
    shownReply: () => shownReply,
    handle(event) {
      switch (event.type) {
        case "generation_started":
          settle();
          shownReply = "";
          spinner.start(`${roleLabel("assistant", styles)}${styles.apply("dim", "thinking")}`);
          return;
        case "generation_progress":
          if (!stream) {
            spinner.stop();
            terminal.write(roleLabel("assistant", styles));
            stream = new MarkdownStream(terminal.write, styles);
          }
          stream.push(event.token);
          shownReply += event.token;
          return;
        case "generation_complete":
          // An empty reply (a refusal) shows no blank `Assistant:` line; the note after it says why.
          if (stream || !event.message.content.trim()) settle();
          else print(event.message);
          return;
        case "message_added":
          if (event.message.role !== "system" || event.message.hide) return;
          lastSystemText = event.message.content;
          print(event.message);
          return;
        case "tool_pending":
          settle();
          pendingTool = event.tooluse.tool;
          return;
        case "tool_executing":
          spinner.start(styles.apply("dim", `Running ${pendingTool}`));
          return;
        case "tool_output":
        case "tool_complete":
          spinner.stop();
          return;
        case "interrupted":
          settle();
          terminal.write(`${styles.apply("yellow", "Interrupted")}\n`);
          return;
        case "error":
          settle();
          lastError = event.error;
          if (options.reportErrors && lastSystemText !== `Error: ${event.error}`) terminal.warn(`${styles.apply("red", `Error: ${event.error}`)}\n`);
          return;
      }
    },
  };
}
