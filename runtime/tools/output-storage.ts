/**
 * Head + tail truncation of long tool output, with the full text saved where the model can read
 * it: the conversation's sandbox (its output area in `/tmp`), so the path in the marker works in
 * the shell and the file tools alike.
 */
import { createHash } from "node:crypto";
import type { OutputArea } from "../sandbox/types.js";

/** gptme's fallback when no tokenizer is at hand: about four characters per token. */
export const CHARACTERS_PER_TOKEN = 4;

/** `YYYYMMDD_HHMMSS` in UTC, as gptme stamps saved outputs. */
export function outputStamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);
}

/** `<kind>-<YYYYMMDD_HHMMSS>-<sha8>.txt` in the sandbox's output area; returns the inside path. */
export async function saveFullOutput(area: OutputArea, kind: string, content: string | Buffer): Promise<string> {
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 8);
  const name = `${kind}-${outputStamp()}-${hash}.txt`;
  try {
    return await area.write(name, content);
  } catch (error) {
    // The same text saved in the same second already has this name.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return area.path(name);
    throw error;
  }
}

export function truncationMarker(savedPath: string | undefined, linesTruncated?: number): string {
  const what = linesTruncated === undefined ? "output truncated" : `${linesTruncated} lines truncated`;
  return savedPath ? `... (${what}, full output saved to ${savedPath}) ...` : `... (${what}) ...`;
}

export interface HeadTailBudget {
  headCharacters: number;
  tailCharacters: number;
}

/** Whether `text` exceeds the budget (and so needs saving before it is cut). */
export function exceedsBudget(text: string, budget: HeadTailBudget): boolean {
  return text.length > budget.headCharacters + budget.tailCharacters;
}

/** Keeps the first and last characters of `text` around gptme's truncation marker line. */
export function cutHeadTail(text: string, budget: HeadTailBudget, savedPath: string | undefined): string {
  if (!exceedsBudget(text, budget)) return text;
  const head = text.slice(0, budget.headCharacters);
  const tail = budget.tailCharacters > 0 ? text.slice(-budget.tailCharacters) : "";
  return [head, truncationMarker(savedPath), tail].join("\n");
}

/**
 * Truncates `text` to the budget, saving the full text in the sandbox first.
 * A failure to save still truncates (the marker then names no file).
 */
export async function truncateWithSavedOutput(text: string, budget: HeadTailBudget, area: OutputArea, kind: string): Promise<string> {
  if (!exceedsBudget(text, budget)) return text;
  const savedPath = await saveFullOutput(area, kind, text).catch(() => undefined);
  return cutHeadTail(text, budget, savedPath);
}

/** Keeps the first `headLines` and the last `tailLines` lines (gptme's tmux pane truncation). */
export async function truncateLines(text: string, headLines: number, tailLines: number, area: OutputArea | undefined, kind: string): Promise<string> {
  const lines = text.split("\n");
  if (lines.length <= headLines + tailLines) return text;
  const savedPath = area ? await saveFullOutput(area, kind, text).catch(() => undefined) : undefined;
  const marker = truncationMarker(savedPath, lines.length - headLines - tailLines);
  return [...lines.slice(0, headLines), marker, ...lines.slice(-tailLines)].join("\n");
}
