/**
 * Break-on-tool-use while streaming: as deltas arrive, finds the first tool use that is complete,
 * so the loop can stop the model there (what it writes after a tool use is a guessed result).
 * Like gptme it only looks when a delta may have completed one (a newline; `>` for XML), and it
 * resumes scanning after the blocks it already knows are closed, so a long reply stays linear.
 */
import { scanCodeBlocks } from "./parse/markdown-blocks.js";
import { afterThinking, markdownToolUses, xmlToolUses, type LocatedToolUse, type ToolUseParseOptions } from "./parse/tool-uses.js";

const xmlClosingTags = ["</tool-use>", "</function_calls>"];
const longestClosingTag = Math.max(...xmlClosingTags.map((tag) => tag.length));

export class StreamingToolUseDetector {
  private text = "";
  private resumeFrom = 0;

  constructor(private readonly options: ToolUseParseOptions) {}

  /** Adds a delta; returns the first complete tool use once the text holds one. */
  append(delta: string): LocatedToolUse | undefined {
    const previousLength = this.text.length;
    this.text += delta;
    if (this.options.format === "xml") return this.findXml(delta, previousLength);
    if (!delta.includes("\n")) return undefined;
    const visibleFrom = afterThinking(this.text);
    if (visibleFrom === undefined) return undefined;
    const scan = scanCodeBlocks(this.text, { streaming: true, from: Math.max(this.resumeFrom, visibleFrom) });
    this.resumeFrom = scan.resumeFrom;
    return markdownToolUses(scan.blocks, this.options)[0];
  }

  private findXml(delta: string, previousLength: number): LocatedToolUse | undefined {
    if (!delta.includes(">")) return undefined;
    const searchFrom = Math.max(0, previousLength - longestClosingTag);
    if (!xmlClosingTags.some((tag) => this.text.includes(tag, searchFrom))) return undefined;
    const visibleFrom = afterThinking(this.text);
    if (visibleFrom === undefined) return undefined;
    return xmlToolUses(this.text, visibleFrom, this.options)[0];
  }
}
