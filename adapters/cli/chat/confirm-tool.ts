/**
 * gptme's confirmation: the preview (a coloured unified diff for file tools; a command only when
 * the reply above did not already show it), then `[Y/n/e/a/?]`. `y`/Enter runs it, `n` stops and
 * returns to the prompt, `e` opens $EDITOR on the content, `a` confirms this and every later tool,
 * `a N` this and the next N-1, `?` explains.
 */
import type { ConfirmDecision, PendingTool } from "../../../runtime/agent/types.js";
import { diffLine } from "../terminal/highlight.js";
import type { LineReader } from "../terminal/line-reader.js";
import { renderMarkdown } from "../terminal/markdown-stream.js";
import type { Terminal } from "../terminal/terminal.js";
import type { AutoConfirm } from "./interrupts.js";

export interface ConfirmDependencies {
  terminal: Terminal;
  reader: LineReader;
  autoConfirm: AutoConfirm;
  /** Opens the editor on a text; returns the saved text. */
  edit: (text: string, fileName: string) => string;
  /** Ctrl-C at the question interrupts the whole run. */
  interrupt: () => void;
  /** The reply on the screen above the question. */
  shownReply: () => string;
}

const help = [
  "  y, Enter  run it",
  "  n         do not run it, stop and return to the prompt",
  "  e         edit the content in $EDITOR, then run it",
  "  a         run it and every further tool use without asking",
  "  a N       run it and the next N-1 tool uses without asking",
  "  ?         this help",
].join("\n");

export function createToolConfirmer(dependencies: ConfirmDependencies): (pending: PendingTool) => Promise<ConfirmDecision> {
  const { terminal, reader } = dependencies;
  const { styles } = terminal;
  return async (pending) => {
    if (!shownAbove(pending, dependencies.shownReply())) {
      terminal.write(`${styles.apply("dim", "Preview")}\n${previewText(pending, terminal)}\n`);
    }
    const question = `${styles.apply("yellow", `Execute ${pending.wire.tool}?`)} [Y/n/e/a/?] `;
    for (;;) {
      const answer = await reader.ask(question);
      if (answer.kind !== "line") {
        dependencies.interrupt();
        return { action: "stop" };
      }
      const text = answer.text.trim().toLowerCase();
      if (text === "" || text === "y" || text === "yes") return { action: "confirm" };
      if (text === "n" || text === "no") return { action: "stop" };
      if (text === "e" || text === "edit") {
        try {
          return editDecision(pending, dependencies);
        } catch (error) {
          terminal.warn(`${error instanceof Error ? error.message : String(error)}\n`);
          continue;
        }
      }
      const auto = /^a(?:uto)?(?:\s+(\d+))?$/.exec(text);
      if (auto) {
        const count = auto[1] === undefined ? Number.POSITIVE_INFINITY : Number(auto[1]);
        if (count < 1) {
          terminal.write("The count must be at least 1.\n");
          continue;
        }
        dependencies.autoConfirm.set(count - 1);
        return { action: "confirm" };
      }
      terminal.write(text === "?" ? `${help}\n` : `Please answer y, n, e, a [N] or ? (got "${answer.text.trim()}").\n`);
    }
  };
}

function editDecision(pending: PendingTool, dependencies: ConfirmDependencies): ConfirmDecision {
  const fileName = pending.wire.args[0]?.split(/[\\/]/).pop() || `${pending.wire.tool}.txt`;
  const edited = dependencies.edit(pending.wire.content, fileName);
  return edited === pending.wire.content ? { action: "confirm" } : { action: "edit", content: edited };
}

/** A tool use written in the reply's text (not a native call) whose preview is just its content. */
function shownAbove(pending: PendingTool, reply: string): boolean {
  const content = pending.wire.content.trim();
  return pending.toolUse.callId === undefined && content !== "" && pending.preview.trim() === content && reply.includes(content);
}

export function previewText(pending: PendingTool, terminal: Terminal): string {
  const { styles } = terminal;
  const preview = pending.preview.replace(/\n$/, "");
  if (/^(--- |\+\+\+ |@@ )/m.test(preview)) return preview.split("\n").map((line) => diffLine(line, styles)).join("\n");
  const info = [pending.wire.tool, ...pending.wire.args].join(" ");
  const fence = preview.includes("```") ? "````" : "```";
  return renderMarkdown(`${fence}${info}\n${preview}\n${fence}`, styles);
}
