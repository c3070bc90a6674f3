/**
 * Tool uses in an assistant reply, in gptme's three formats: markdown fences, XML tags, and the
 * `@tool(call_id): {json}` lines that record native calls. Pure functions; which languages and
 * tags invoke a tool is passed in (`toolForBlockType`).
 */
import type { ToolUse } from "../../tools/tool.js";
import type { ToolFormat } from "../types.js";
import { scanCodeBlocks, type CodeBlock } from "./markdown-blocks.js";
import { scanNativeToolCalls } from "./native-tool-calls.js";
import { scanXmlToolCalls } from "./xml-tool-uses.js";

export interface ToolUseParseOptions {
  format: ToolFormat;
  /** The tool a fence language / XML tag invokes; undefined for other languages (`python`, `stdout`, `text`). */
  toolForBlockType: (blockType: string) => string | undefined;
}

/** A tool use and where it sits in the text. */
export interface LocatedToolUse {
  toolUse: ToolUse;
  start: number;
  /** Just past the tool use: the closing fence line (with its newline), the closing tag, the JSON. */
  end: number;
}

/** Tools whose single argument is a path, which may contain spaces: `save my notes.md`. */
export const PATH_ARGUMENT_TOOLS: ReadonlySet<string> = new Set(["save", "append", "patch", "read"]);

/**
 * All tool uses in `text`, ordered by position. Markdown blocks count in markdown and tool format,
 * XML in xml format, `@tool(id)` lines in tool format (skipping ones quoted in code blocks).
 * `streaming`: the text is still growing, so its unfinished last line is ignored.
 */
export function locateToolUses(text: string, options: ToolUseParseOptions, streaming = false): LocatedToolUse[] {
  const visibleFrom = afterThinking(text);
  if (visibleFrom === undefined) return [];
  const found: LocatedToolUse[] = [];
  if (options.format === "xml") {
    found.push(...xmlToolUses(text, visibleFrom, options));
  } else {
    const blocks = scanCodeBlocks(text, { streaming, from: visibleFrom }).blocks;
    found.push(...markdownToolUses(blocks, options));
    if (options.format === "tool") found.push(...nativeToolUses(text, visibleFrom, blocks));
  }
  return found.sort((left, right) => left.start - right.start);
}

/** The tool uses of a finished reply. */
export function parseToolUses(text: string, options: ToolUseParseOptions): ToolUse[] {
  return locateToolUses(text, options).map((located) => located.toolUse);
}

/**
 * The first tool use that is already complete in a reply still being streamed, or undefined.
 * Whatever the model writes after it is a guess at the tool's output, so streaming stops there.
 */
export function findFirstCompleteToolUse(text: string, options: ToolUseParseOptions): LocatedToolUse | undefined {
  return locateToolUses(text, options, true)[0];
}

/** ToolUse args from the text after the block type: one path for path tools, else the words. */
export function toolUseArguments(tool: string, argumentText: string): string[] {
  const trimmed = argumentText.trim();
  if (trimmed === "") return [];
  return PATH_ARGUMENT_TOOLS.has(tool) ? [trimmed] : trimmed.split(/\s+/);
}

/** Splits a fence info string into its block type and the rest: `save a b.txt` → [`save`, `a b.txt`]. */
export function splitInfoString(info: string): [string, string] {
  const space = info.search(/\s/);
  return space === -1 ? [info, ""] : [info.slice(0, space), info.slice(space + 1)];
}

/**
 * Where tool uses may start: a reply that opens with a `<think>`/`<thinking>` block is only read
 * after it closes (models leave fences unclosed while thinking); undefined while it is still open.
 */
export function afterThinking(text: string): number | undefined {
  const opening = /^\s*<(think|thinking)>/.exec(text);
  if (!opening) return 0;
  const closing = `</${opening[1]}>`;
  const index = text.indexOf(closing, opening[0].length);
  if (index === -1) return undefined;
  const end = index + closing.length;
  const newline = text.indexOf("\n", end);
  return newline === -1 ? text.length : newline + 1;
}

/** Tool uses of already scanned blocks (the streaming detector reuses this). */
export function markdownToolUses(blocks: CodeBlock[], options: ToolUseParseOptions): LocatedToolUse[] {
  const found: LocatedToolUse[] = [];
  for (const block of blocks) {
    const [blockType, rest] = splitInfoString(block.info);
    const tool = blockType === "" ? undefined : options.toolForBlockType(blockType);
    if (!tool) continue;
    found.push({ toolUse: { tool, args: toolUseArguments(tool, rest), content: block.content }, start: block.start, end: block.end });
  }
  return found;
}

export function xmlToolUses(text: string, from: number, options: ToolUseParseOptions): LocatedToolUse[] {
  const found: LocatedToolUse[] = [];
  for (const call of scanXmlToolCalls(from === 0 ? text : text.slice(from))) {
    const tool = options.toolForBlockType(call.tag);
    if (!tool) continue;
    const toolUse: ToolUse = { tool, args: toolUseArguments(tool, call.argumentText), content: call.content };
    if (call.parameters) toolUse.parameters = call.parameters;
    found.push({ toolUse, start: call.start + from, end: call.end + from });
  }
  return found;
}

function nativeToolUses(text: string, from: number, blocks: CodeBlock[]): LocatedToolUse[] {
  return scanNativeToolCalls(text, blocks)
    .filter((call) => call.start >= from)
    .map((call) => ({
      toolUse: { tool: call.name, args: [], content: "", callId: call.callId, parameters: call.parameters },
      start: call.start,
      end: call.end,
    }));
}
