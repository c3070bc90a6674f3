/** How a message is recognised as a slash command, for the CLI and the server alike. */

/**
 * `/word ...` is a command; `/etc/hosts says ...` (a path: a second `/` in the first word) is an
 * ordinary message, as gptme's `is_message_command` decides.
 */
export function isSlashCommand(content: string): boolean {
  return /^\/[\w-]+(\s|$)/.test(content);
}

export function parseSlashCommand(content: string): { name: string; argumentText: string } {
  const match = /^\/([\w-]+)\s*([\s\S]*)$/.exec(content.trim());
  return { name: match?.[1] ?? "", argumentText: (match?.[2] ?? "").trim() };
}
