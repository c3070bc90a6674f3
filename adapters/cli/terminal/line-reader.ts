/**
 * Reads one line at a time with node:readline. A fresh interface per question, closed right after:
 * while the agent works the terminal is back in cooked mode, so Ctrl-C arrives as a real SIGINT
 * that interrupts the generation or the tool (see `interrupts.ts`) instead of a keystroke.
 * Node's readline has no bracketed paste, so lines that arrive together are taken as one paste.
 */
import { createInterface } from "node:readline";
import type { PromptHistory } from "./history.js";

export type Answer =
  | { kind: "line"; text: string }
  /** Ctrl-C; `hadText` when it only discarded a half-typed line. */
  | { kind: "interrupt"; hadText: boolean }
  /** Ctrl-D on an empty line, or the input ended. */
  | { kind: "end" };

export interface LineReader {
  ask(prompt: string, options?: { history?: PromptHistory; signal?: AbortSignal }): Promise<Answer>;
}

export function createLineReader(input: NodeJS.ReadableStream & { isTTY?: boolean }, output: NodeJS.WritableStream): LineReader {
  let ended = false;
  return {
    ask(prompt, options = {}) {
      if (ended) return Promise.resolve({ kind: "end" });
      return new Promise((resolve) => {
        const history = options.history;
        const reader = createInterface({
          input,
          output,
          terminal: input.isTTY === true,
          history: history ? [...history.entries] : [],
          historySize: history ? 1000 : 0,
          removeHistoryDuplicates: true,
        });
        let settled = false;
        const finish = (answer: Answer) => {
          if (settled) return;
          settled = true;
          options.signal?.removeEventListener("abort", onAbort);
          reader.close();
          resolve(answer);
        };
        const onAbort = () => {
          output.write("\n");
          finish({ kind: "interrupt", hadText: false });
        };
        // A paste arrives as one chunk whose lines come in the same tick: they make one message.
        const pasted: string[] = [];
        reader.on("line", (line) => {
          pasted.push(line);
          if (pasted.length > 1) return;
          setImmediate(() => {
            if (pasted.length > 1 && reader.line) pasted.push(reader.line);
            const text = pasted.join("\n");
            if (history && text.trim()) history.add(text);
            finish({ kind: "line", text });
          });
        });
        reader.on("SIGINT", () => {
          const hadText = reader.line.length > 0;
          output.write("^C\n");
          finish({ kind: "interrupt", hadText });
        });
        reader.on("close", () => {
          if (!settled && pasted.length > 0) return finish({ kind: "line", text: pasted.join("\n") });
          if (!settled) {
            ended = input.isTTY !== true || ended;
            output.write("\n");
          }
          finish({ kind: "end" });
        });
        if (options.signal?.aborted) return onAbort();
        options.signal?.addEventListener("abort", onAbort, { once: true });
        reader.setPrompt(prompt);
        reader.prompt();
      });
    },
  };
}
