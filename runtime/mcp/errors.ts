/** A failing MCP server, named, with its last stderr lines: what the model and the user are shown. */

/** start: it did not come up; hung: no answer in time; exited: it stopped during a call; answer: it answered with an error. */
export type McpFailureKind = "start" | "hung" | "exited" | "answer" | "unavailable";

export class McpServerError extends Error {
  constructor(
    readonly server: string,
    readonly kind: McpFailureKind,
    readonly reason: string,
    readonly stderr: string[] = [],
  ) {
    super(formatServerError(server, reason, stderr));
    this.name = "McpServerError";
  }
}

/** `MCP server "x" <reason>` and, when it wrote any, its last stderr lines. */
export function formatServerError(server: string, reason: string, stderr: string[]): string {
  const head = `MCP server "${server}" ${reason}`;
  if (stderr.length === 0) return head;
  return `${head}\nLast stderr lines of "${server}":\n${stderr.map((line) => `  ${line}`).join("\n")}`;
}
