/** Head + tail truncation of long tool output, with the full text saved where the model can read it. */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** gptme's fallback when no tokenizer is at hand: about four characters per token. */
export const CHARACTERS_PER_TOKEN = 4;

/** `<data>/tool-outputs/<kind>/<YYYYMMDD_HHMMSS>-<sha8>.txt`, as gptme's `save_large_output` (UTC time). */
export async function saveFullOutput(dataDirectory: string, kind: string, content: string | Buffer): Promise<string> {
  const directory = path.join(dataDirectory, "tool-outputs", kind);
  await mkdir(directory, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 8);
  const file = path.join(directory, `${stamp}-${hash}.txt`);
  await writeFile(file, content);
  return file;
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
 * Truncates `text` to the budget, saving the full text under `tool-outputs/<kind>/` first.
 * A failure to save still truncates (the marker then names no file).
 */
export async function truncateWithSavedOutput(
  text: string,
  budget: HeadTailBudget,
  dataDirectory: string,
  kind: string,
): Promise<string> {
  if (!exceedsBudget(text, budget)) return text;
  const savedPath = await saveFullOutput(dataDirectory, kind, text).catch(() => undefined);
  return cutHeadTail(text, budget, savedPath);
}

/** Keeps the first `headLines` and the last `tailLines` lines (gptme's tmux pane truncation). */
export async function truncateLines(
  text: string,
  headLines: number,
  tailLines: number,
  dataDirectory: string | undefined,
  kind: string,
): Promise<string> {
  const lines = text.split("\n");
  if (lines.length <= headLines + tailLines) return text;
  const savedPath = dataDirectory ? await saveFullOutput(dataDirectory, kind, text).catch(() => undefined) : undefined;
  const marker = truncationMarker(savedPath, lines.length - headLines - tailLines);
  return [...lines.slice(0, headLines), marker, ...lines.slice(-tailLines)].join("\n");
}
