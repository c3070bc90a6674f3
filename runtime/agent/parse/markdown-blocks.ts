/**
 * Fenced code blocks of a reply, found the way the agent reads markdown tool uses.
 *
 * Fences start at column 0 with three or more backticks. Inside a three-backtick block a fence
 * with an info string (```` ```python ````) opens a nested level and a bare fence closes the
 * innermost level, so a `save` of a markdown file may contain labelled code blocks. Inside a block
 * opened with four or more backticks everything is content until a bare fence at least as long
 * (CommonMark), which is how a file with unlabelled inner fences is written safely.
 * A block that is never closed is not a block.
 */

export interface CodeBlock {
  /** The info string after the opening fence, trimmed (`save src/app.ts`, `python`, ``). */
  info: string;
  content: string;
  /** Offset of the opening fence line. */
  start: number;
  /** Offset just past the closing fence line, including its newline when there is one. */
  end: number;
}

export interface CodeBlockScanOptions {
  /**
   * While streaming the last line may still grow (a bare fence could become ```` ```python ````),
   * so only lines ended by a newline count.
   */
  streaming?: boolean;
  /** Offset of a line start to scan from (a `resumeFrom` of an earlier scan of the same text). */
  from?: number;
}

export interface CodeBlockScan {
  blocks: CodeBlock[];
  /** A line start before which nothing can change as the text grows: no block is open there. */
  resumeFrom: number;
}

interface Fence {
  length: number;
  info: string;
}

interface OpenBlock {
  info: string;
  start: number;
  contentStart: number;
  /** Backtick counts of the open levels, outermost first. */
  levels: number[];
}

const fencePattern = /^(`{3,})([^`]*)$/;

/** Scans `text` for fenced code blocks, in order. */
export function scanCodeBlocks(text: string, options: CodeBlockScanOptions = {}): CodeBlockScan {
  const blocks: CodeBlock[] = [];
  let position = options.from ?? 0;
  let resumeFrom = position;
  let open: OpenBlock | null = null;
  while (position < text.length) {
    const newline = text.indexOf("\n", position);
    if (newline === -1 && options.streaming) break;
    const lineEnd = newline === -1 ? text.length : newline;
    const next = newline === -1 ? text.length : newline + 1;
    const fence = text.charCodeAt(position) === 96 ? parseFence(text, position, lineEnd) : null;
    if (open === null) {
      if (fence) open = { info: fence.info, start: position, contentStart: next, levels: [fence.length] };
      else resumeFrom = next;
    } else if (fence && closesOrNests(open.levels, fence)) {
      blocks.push({ info: open.info, content: contentBetween(text, open.contentStart, position), start: open.start, end: next });
      open = null;
      resumeFrom = next;
    }
    position = next;
  }
  return { blocks, resumeFrom };
}

function parseFence(text: string, start: number, end: number): Fence | null {
  let line = text.slice(start, end);
  if (line.endsWith("\r")) line = line.slice(0, -1);
  const match = fencePattern.exec(line);
  if (!match) return null;
  return { length: match[1].length, info: match[2].trim() };
}

/** Updates the open levels for a fence line; true when the outermost level closed. */
function closesOrNests(levels: number[], fence: Fence): boolean {
  const innermost = levels[levels.length - 1];
  if (innermost >= 4) {
    if (fence.info === "" && fence.length >= innermost) levels.pop();
  } else if (fence.info !== "") {
    levels.push(fence.length);
  } else {
    levels.pop();
  }
  return levels.length === 0;
}

function contentBetween(text: string, contentStart: number, closingLineStart: number): string {
  if (closingLineStart <= contentStart) return "";
  let content = text.slice(contentStart, closingLineStart - 1);
  if (content.endsWith("\r")) content = content.slice(0, -1);
  return content;
}

/** A backtick fence long enough to wrap `content` without any inner fence line closing it. */
export function fenceFor(content: string): string {
  let longest = 0;
  for (const match of content.matchAll(/^`{3,}/gm)) longest = Math.max(longest, match[0].length);
  return "`".repeat(longest === 0 ? 3 : Math.max(4, longest + 1));
}
