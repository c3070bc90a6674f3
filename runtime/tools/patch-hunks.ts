/**
 * gptme's patch format: one or more `<<<<<<< ORIGINAL` / `=======` / `>>>>>>> UPDATED` hunks, each
 * replacing text that must occur exactly once. Pure functions: parse, then apply to a string.
 */
import { pythonRepr } from "./formatting.js";

export interface Hunk {
  original: string;
  updated: string;
}

const ORIGINAL = "<<<<<<< ORIGINAL\n";
const DIVIDER = "\n=======\n";
const UPDATED = "\n>>>>>>> UPDATED";
/** `# ...`-style lines split a hunk into independent hunks (gptme's placeholder support). */
const PLACEHOLDER_LINE = /^[ \t]*(?:#|\/\/|") \.\.\. ?.*$/m;

function parseHunk(block: string): Hunk {
  const afterOriginal = block.slice(block.indexOf(ORIGINAL) + ORIGINAL.length);
  const divider = afterOriginal.indexOf(DIVIDER);
  if (divider < 0) throw new Error("invalid patch format: missing =======");
  const original = afterOriginal.slice(0, divider);
  const afterDivider = afterOriginal.slice(divider + DIVIDER.length);
  if (afterDivider.startsWith(UPDATED.slice(1))) return { original, updated: "" };
  const end = afterDivider.indexOf(UPDATED);
  if (end < 0) throw new Error("invalid patch format: missing >>>>>>> UPDATED");
  const updated = afterDivider.slice(0, end);
  if (/\n=======(?!=)/.test(updated)) {
    throw new Error(
      "invalid patch format: extra ======= marker found in updated content. Use only one ======= between original and updated content.",
    );
  }
  return { original, updated };
}

function splitPlaceholders(hunk: Hunk): Hunk[] {
  if (!PLACEHOLDER_LINE.test(hunk.original) && !PLACEHOLDER_LINE.test(hunk.updated)) return [hunk];
  const global = new RegExp(PLACEHOLDER_LINE.source, "gm");
  const originals = hunk.original.split(global);
  const updates = hunk.updated.split(global);
  if (originals.length !== updates.length) throw new Error("different number of placeholders in original and modified chunks");
  return originals
    .map((original, index) => ({ original, updated: updates[index] }))
    .filter((part) => part.original !== part.updated);
}

/** The hunks of a patch block (CRLF line ends in the block are read as LF). */
export function parsePatch(block: string): Hunk[] {
  const text = block.replace(/\r\n/g, "\n").trim();
  if (!text.includes(ORIGINAL)) throw new Error(`invalid patch, no \`${ORIGINAL.trim()}\``);
  const parts = text.split(/(?=<<<<<<< ORIGINAL\n)/).filter((part) => part.trim() !== "");
  if (!parts[0].startsWith(ORIGINAL)) throw new Error(`invalid patch, no \`${ORIGINAL.trim()}\``);
  return parts.map(parseHunk).flatMap(splitPlaceholders);
}

const isBlank = (line: string) => line.trim() === "";

function splitLinesKeepEnds(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * Finds `original` allowing whitespace-only lines to differ in their whitespace; returns the text
 * matched. The chunk's last line has no newline (the `=======` line took it), so it matches a
 * file line with or without one.
 */
function relaxedMatch(content: string, original: string): { index: number; text: string } | undefined {
  const wanted = splitLinesKeepEnds(original);
  const lines = splitLinesKeepEnds(content);
  const last = wanted.length - 1;
  const openEnded = last >= 0 && !wanted[last].endsWith("\n");
  const same = (line: string, index: number) => {
    const candidate = index === last && openEnded ? line.replace(/\n$/, "") : line;
    return candidate === wanted[index] || (isBlank(candidate) && isBlank(wanted[index]));
  };
  const matches: Array<{ index: number; text: string }> = [];
  let offset = 0;
  for (let start = 0; start + wanted.length <= lines.length; offset += lines[start].length, start++) {
    const window = lines.slice(start, start + wanted.length);
    if (window.every(same)) {
      const text = window.join("");
      matches.push({ index: offset, text: openEnded ? text.replace(/\n$/, "") : text });
    }
  }
  if (matches.length > 1) {
    throw new Error(
      `original chunk is not unique (${matches.length} matches with relaxed whitespace matching). Provide more surrounding context to make the match unique.`,
    );
  }
  return matches[0];
}

function countOccurrences(content: string, part: string): number {
  let count = 0;
  for (let index = content.indexOf(part); index >= 0; index = content.indexOf(part, index + part.length)) count++;
  return count;
}

function applyHunk(content: string, hunk: Hunk, recoveryContent: boolean): string {
  const count = hunk.original === "" ? 0 : countOccurrences(content, hunk.original);
  if (count > 1) {
    throw new Error(
      `original chunk is not unique (${count} matches found). Provide more surrounding context to make the match unique.`,
    );
  }
  const match =
    count === 1
      ? { index: content.indexOf(hunk.original), text: hunk.original }
      : hunk.original === ""
        ? undefined
        : relaxedMatch(content, hunk.original);
  if (match === undefined) {
    const recovery = recoveryContent ? `\nHere are the actual file contents:\n\`\`\`original\n${content}\n\`\`\`` : "";
    throw new Error(`original chunk not found in file${recovery}`);
  }
  const result = content.slice(0, match.index) + hunk.updated + content.slice(match.index + match.text.length);
  if (result === content) throw new Error("patch did not change the file (original and updated chunks are identical)");
  return result;
}

/**
 * Applies every hunk in order, in memory. Any failure throws (naming the hunk when there are
 * several), so a caller that writes only the returned text never leaves a half-patched file.
 */
export function applyPatch(content: string, block: string, recoveryContent = false): string {
  const hunks = parsePatch(block);
  let result = content;
  hunks.forEach((hunk, index) => {
    try {
      result = applyHunk(result, hunk, recoveryContent);
    } catch (error) {
      const message = (error as Error).message;
      if (hunks.length === 1) throw error;
      let preview = hunk.original.slice(0, 100).replace(/\n/g, "\\n");
      if (hunk.original.length > 100) preview += "...";
      const applied = index > 0 ? ` (${index} hunk(s) applied successfully before failure)` : "";
      throw new Error(`Hunk ${index + 1}/${hunks.length} failed${applied}: ${message}\nFailed hunk starts with: ${pythonRepr(preview)}`);
    }
  });
  return result;
}
