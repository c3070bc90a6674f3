/**
 * Renders markdown as it streams in. Plain lines are written as their characters arrive (inline
 * code and bold styled on the fly); lines whose meaning depends on their start (fences, headings)
 * and code lines are held until complete, then written styled. A code block is kept apart from
 * the text around it by a blank line, as a markdown viewer shows it, even when the model wrote the
 * fence right under a line of text. With colour off, the text passes through unchanged, so piped
 * output is exactly the reply.
 */
import { highlightLine, languageOf, type CodeLanguage } from "./highlight.js";
import type { Styles } from "./styles.js";

type LineMode = "start" | "inline" | "whole";

const fencePattern = /^(`{3,}|~{3,})(.*)$/;

export class MarkdownStream {
  private mode: LineMode = "start";
  private line = "";
  private code: { fence: string; language: CodeLanguage } | null = null;
  private codeSpan = false;
  private bold = false;
  private pendingStar = false;
  private out = "";
  private lastCharacter = "\n";
  private lineBlank = true;
  private previousLineBlank = true;
  private afterCodeBlock = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly styles: Styles,
  ) {}

  /** Whether what was pushed so far ends a line (so the caller need not add one). */
  get atLineStart(): boolean {
    return this.lastCharacter === "\n";
  }

  push(text: string): void {
    if (text) this.lastCharacter = text.at(-1)!;
    if (!this.styles.enabled) {
      this.write(text);
      return;
    }
    for (const character of text) {
      if (character === "\n") {
        this.endLine("\n");
        continue;
      }
      if (character.trim()) this.lineBlank = false;
      if (this.mode === "inline") this.inline(character);
      else {
        this.line += character;
        if (this.mode === "start") this.decide();
      }
    }
    this.flush();
  }

  /** Finishes a last line that has no newline; the stream can be reused afterwards. */
  end(): void {
    if (!this.styles.enabled) return;
    if (this.mode !== "start" || this.line) this.endLine("");
    this.code = null;
    this.mode = "start";
    this.previousLineBlank = true;
    this.afterCodeBlock = false;
    this.flush();
  }

  private decide(): void {
    const trimmed = this.line.trimStart();
    if (trimmed === "" || "```".startsWith(trimmed) || "~~~".startsWith(trimmed)) return;
    if (/^(`{3}|~{3}|#)/.test(trimmed)) {
      this.mode = "whole";
      return;
    }
    this.mode = "inline";
    this.separate(false);
    const held = this.line;
    this.line = "";
    for (const character of held) this.inline(character);
  }

  private endLine(newline: string): void {
    if (this.mode === "inline") this.closeInline();
    else this.renderWholeLine(this.line);
    this.out += newline;
    if (this.lineBlank) this.afterCodeBlock = false;
    this.previousLineBlank = this.lineBlank;
    this.lineBlank = true;
    this.line = "";
    this.mode = this.code ? "whole" : "start";
  }

  /** A blank line between a code block and the text around it, where the model wrote none. */
  private separate(openingFence: boolean): void {
    if (this.afterCodeBlock || (openingFence && !this.previousLineBlank)) this.out += "\n";
    this.afterCodeBlock = false;
  }

  private renderWholeLine(line: string): void {
    const { styles } = this;
    const trimmed = line.trim();
    if (this.code) {
      const closing = trimmed.length >= this.code.fence.length && trimmed === this.code.fence[0]!.repeat(trimmed.length);
      if (closing) {
        this.out += styles.apply("dim", line);
        this.code = null;
        this.afterCodeBlock = true;
      } else {
        this.out += highlightLine(line, this.code.language, styles);
      }
      return;
    }
    const fence = fencePattern.exec(line.trimStart());
    if (fence) {
      this.separate(true);
      this.code = { fence: fence[1]!, language: languageOf(fence[2] ?? "") };
      this.out += styles.apply("dim", line);
    } else if (/^#{1,6}(\s|$)/.test(line.trimStart())) {
      this.separate(false);
      this.out += styles.apply("bold", line);
    } else {
      if (line.trim()) this.separate(false);
      for (const character of line) this.inline(character);
      this.closeInline();
    }
  }

  private inline(character: string): void {
    const { styles } = this;
    if (this.pendingStar) {
      this.pendingStar = false;
      if (character === "*") {
        this.out += this.bold ? `**${styles.close("bold")}` : `${styles.open("bold")}**`;
        this.bold = !this.bold;
        return;
      }
      this.out += "*";
    }
    if (character === "*" && !this.codeSpan) {
      this.pendingStar = true;
      return;
    }
    if (character === "`") {
      this.out += this.codeSpan ? `\`${styles.close("cyan")}` : `${styles.open("cyan")}\``;
      this.codeSpan = !this.codeSpan;
      return;
    }
    this.out += character;
  }

  private closeInline(): void {
    if (this.pendingStar) this.out += "*";
    if (this.codeSpan) this.out += this.styles.close("cyan");
    if (this.bold) this.out += this.styles.close("bold");
    this.pendingStar = false;
    this.codeSpan = false;
    this.bold = false;
  }

  private flush(): void {
    if (this.out) this.write(this.out);
    this.out = "";
  }
}

/** A whole markdown text, rendered at once (the log, non-streamed replies). */
export function renderMarkdown(text: string, styles: Styles): string {
  let result = "";
  const stream = new MarkdownStream((chunk) => (result += chunk), styles);
  stream.push(text);
  stream.end();
  return result;
}
