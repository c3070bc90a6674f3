/**
 * The terminal side of MCP in the interactive chat: approving a server the workspace declares,
 * answering a server's question (elicitation) field by field, and one-line notes when a server
 * cannot start or the configuration is wrong.
 */
import { describeSource } from "../../../runtime/mcp/config.js";
import { parseFieldValue, type AskUser, type ElicitationAnswer, type ElicitationField, type ElicitationValue } from "../../../runtime/mcp/elicitation.js";
import type { McpApprovalRequest, McpServerStatus } from "../../../runtime/mcp/manager.js";
import type { LineReader } from "../terminal/line-reader.js";
import type { Terminal } from "../terminal/terminal.js";

/** `[y/N]`: anything but yes leaves the server stopped; the question names the file and what would run. */
export function terminalApproval(reader: LineReader, terminal: Terminal, settle: () => void): (request: McpApprovalRequest) => Promise<boolean> {
  return async (request) => {
    settle();
    const { styles } = terminal;
    terminal.write(
      `${styles.apply("yellow", `The workspace declares the MCP server "${request.server}"`)} in ${describeSource(request.source)}\n` +
        `  ${request.transport === "http" ? "URL" : "Command"}: ${request.target}\n` +
        styles.apply("dim", "  (a file the agent can write: it starts only if you approve it for this conversation)\n"),
    );
    const answer = await reader.ask(`${styles.apply("yellow", `Start "${request.server}"?`)} [y/N] `);
    return answer.kind === "line" && /^(y|yes)$/i.test(answer.text.trim());
  };
}

/** A server's form, one field per line; `n` at the first question declines, Ctrl-C or Ctrl-D cancels. */
export function terminalAsk(reader: LineReader, terminal: Terminal, settle: () => void): AskUser {
  return async (request, signal) => {
    // The question comes while the tool's spinner runs: it would draw over the prompt.
    settle();
    const { styles } = terminal;
    terminal.write(`\n${styles.apply("yellow", request.prompt)}\n`);
    const start = await reader.ask(`Answer it? [Y/n] `, { signal });
    if (start.kind !== "line") return { action: "cancel" };
    if (/^(n|no)$/i.test(start.text.trim())) return { action: "decline" };
    const values: Record<string, ElicitationValue> = {};
    for (const field of request.fields) {
      for (;;) {
        const answer = await reader.ask(fieldQuestion(field, terminal), { signal });
        if (answer.kind !== "line") return { action: "cancel" };
        const parsed = parseFieldValue(field, answer.text);
        if (!parsed.ok) {
          terminal.write(`${styles.apply("red", parsed.message)}\n`);
          continue;
        }
        if (parsed.value !== undefined) values[field.name] = parsed.value;
        break;
      }
    }
    return { action: "accept", values } satisfies ElicitationAnswer;
  };
}

function fieldQuestion(field: ElicitationField, terminal: Terminal): string {
  const { styles } = terminal;
  const hints: string[] = [];
  if (field.description) hints.push(field.description);
  if (field.options) hints.push(field.options.map((option, index) => `${index + 1}) ${option}`).join("  "));
  if (field.type === "boolean") hints.push("y/n");
  if (field.type === "multi_choice") hints.push("comma-separated");
  if (field.format) hints.push(field.format);
  const hint = hints.length > 0 ? styles.apply("dim", ` (${hints.join("; ")})`) : "";
  const fallback = field.default !== undefined ? styles.apply("dim", ` [${field.default}]`) : "";
  const optional = field.required ? "" : styles.apply("dim", " (optional)");
  return `  ${field.prompt}${hint}${optional}${fallback}: `;
}

/** Start failures, servers left waiting for an approval nobody can give, and configuration errors, on stderr. */
export function mcpNotes(
  terminal: Terminal,
  options: { canApprove: boolean },
): { onStatus: (status: McpServerStatus) => void; onConfigError: (message: string) => void } {
  const { styles } = terminal;
  return {
    onStatus(status) {
      if (status.state === "failed" && !status.loaded && status.error) terminal.warn(`${styles.apply("red", status.error)}\n`);
      if (status.state === "needs-approval" && !options.canApprove) {
        terminal.warn(
          `${styles.apply("yellow", `MCP server "${status.name}" (declared in ${describeSource(status.source)}) was not started: it needs your approval; run gptme interactively to give it`)}\n`,
        );
      }
    },
    onConfigError(message) {
      terminal.warn(`${styles.apply("red", `MCP is off: ${message}`)}\n`);
    },
  };
}
