/**
 * Break-on-tool-use while streaming: as deltas arrive, finds the first tool use that is complete,
 * so the loop can stop the model there (what it writes after a tool use is a guessed result).
 * Like gptme it only looks when a delta may have completed one (a newline; `>` for XML). It keeps
 * only the text that can still change the answer (from the last line outside any block, or from
 * an unfinished XML wrapper), so checking stays cheap however long the reply grows.
 */
import { scanCodeBlocks } from "./parse/markdown-blocks.js";
import { markdownToolUses, xmlToolUses, type LocatedToolUse, type ToolUseParseOptions } from "./parse/tool-uses.js";
import { scanXmlToolCalls } from "./parse/xml-tool-uses.js";
import { TextPieces } from "./text-pieces.js";

const thinkingTags = ["<think>", "<thinking>"];
const xmlOpeningTags = ["<tool-use>", "<function_calls>"];
const xmlClosingTags = ["</tool-use>", "</function_calls>"];
/** Longer than any tag, so a tag split across deltas is still seen whole. */
const tagMargin = 32;

type Thinking = { state: "undecided" } | { state: "none" } | { state: "open"; closing: string };

export class StreamingToolUseDetector {
  /** The text from `offset` on; everything before it is settled. */
  private tail = "";
  /**
   * Deltas not yet added to the tail, as UTF-8 bytes off the heap: joined when one may complete a
   * tool use, not one by one. A long line (prose often is, and the SSE bench's replies have none)
   * stays here until its end; joined onto the tail every 64 deltas instead, each join was a string
   * that lived as long as the line and was promoted by the young-generation collections.
   */
  private readonly unread = new TextPieces();
  private offset = 0;
  private thinking: Thinking = { state: "undecided" };

  constructor(private readonly options: ToolUseParseOptions) {}

  /** Adds a delta; returns the first complete tool use (offsets in the whole text) once there is one. */
  append(delta: string): LocatedToolUse | undefined {
    this.unread.push(delta);
    const xml = this.options.format === "xml";
    if (!delta.includes("\n") && !(xml && delta.includes(">"))) return undefined;
    this.foldUnread();
    if (!this.pastThinking()) return undefined;
    const found = xml ? this.findXml() : this.findMarkdown();
    return found && { toolUse: found.toolUse, start: found.start + this.offset, end: found.end + this.offset };
  }

  private foldUnread(): void {
    this.tail += this.unread.text();
    this.unread.reset();
  }

  private findMarkdown(): LocatedToolUse | undefined {
    const scan = scanCodeBlocks(this.tail, { streaming: true });
    const found = markdownToolUses(scan.blocks, this.options)[0];
    if (!found) this.settle(scan.resumeFrom);
    return found;
  }

  private findXml(): LocatedToolUse | undefined {
    if (xmlClosingTags.some((tag) => this.tail.includes(tag))) {
      const found = xmlToolUses(this.tail, 0, this.options)[0];
      if (found) return found;
    }
    const lastEnd = scanXmlToolCalls(this.tail).reduce((end, call) => Math.max(end, call.end), 0);
    const unfinished = xmlOpeningTags.map((tag) => this.tail.indexOf(tag, lastEnd)).filter((index) => index !== -1);
    this.settle(unfinished.length > 0 ? Math.min(...unfinished) : Math.max(lastEnd, this.tail.length - tagMargin));
    return undefined;
  }

  /** Whether tool uses may be read yet: a reply opening with a thinking block is read after it. */
  private pastThinking(): boolean {
    if (this.thinking.state === "undecided") {
      const start = this.tail.trimStart();
      const tag = thinkingTags.find((candidate) => start.startsWith(candidate));
      if (tag) this.thinking = { state: "open", closing: `</${tag.slice(1)}` };
      else if (thinkingTags.some((candidate) => candidate.startsWith(start))) return false;
      else this.thinking = { state: "none" };
    }
    if (this.thinking.state === "none") return true;
    const close = this.tail.indexOf(this.thinking.closing);
    const newline = close === -1 ? -1 : this.tail.indexOf("\n", close);
    if (newline === -1) {
      this.settle(Math.max(0, this.tail.length - tagMargin), close === -1);
      return false;
    }
    this.settle(newline + 1);
    this.thinking = { state: "none" };
    return true;
  }

  /** Drops the settled start of the tail (never while the start of the reply is still undecided). */
  private settle(localOffset: number, allowed = true): void {
    if (!allowed || localOffset <= 0 || this.thinking.state === "undecided") return;
    this.tail = this.tail.slice(localOffset);
    this.offset += localOffset;
  }
}
