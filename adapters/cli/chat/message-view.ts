/** How a stored message looks in the terminal: gptme's `User:` / `Assistant:` / `System:` labels. */
import type { Message, Role } from "../../../runtime/store/types.js";
import { renderMarkdown } from "../terminal/markdown-stream.js";
import type { Styles } from "../terminal/styles.js";

const labels: Record<Role, { text: string; style: "green" | "cyan" | "gray" }> = {
  user: { text: "User", style: "green" },
  assistant: { text: "Assistant", style: "cyan" },
  system: { text: "System", style: "gray" },
};

export function roleLabel(role: Role, styles: Styles): string {
  const label = labels[role];
  return `${styles.apply(label.style, styles.apply("bold", `${label.text}:`))} `;
}

export function formatMessage(message: Message, styles: Styles): string {
  return `${roleLabel(message.role, styles)}${renderMarkdown(message.content.trimEnd(), styles)}\n`;
}

/** What the log shows: hidden messages only when asked (`--show-hidden`). */
export function visibleMessages(messages: Message[], showHidden: boolean): Message[] {
  return showHidden ? messages : messages.filter((message) => !message.hide);
}
