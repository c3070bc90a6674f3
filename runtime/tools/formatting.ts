/** Text helpers shared by the tools: the small pieces of gptme's output formatting. */

// CSI sequences (colours, cursor moves, `?25l`), OSC sequences (titles, hyperlinks) and two-byte escapes.
const ANSI_ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Removes terminal escape sequences, as gptme does before showing output to the model. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_ESCAPE, "");
}

/** Drops leading and trailing whitespace-only lines but keeps the indentation of the first line. */
export function trimBlankLines(text: string): string {
  const lines = text.split("\n");
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start].trim() === "") start++;
  while (end > start && lines[end - 1].trim() === "") end--;
  return lines.slice(start, end).join("\n");
}

/**
 * A markdown fence around `content`; the fence is longer than any backtick run inside, so output
 * that itself contains ``` cannot close the block early.
 */
export function fence(language: string, content: string, minimumTicks = 3): string {
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(Math.max(minimumTicks, longestRun + 1));
  return `${ticks}${language}\n${content}\n${ticks}`;
}

/** Python's `repr()` of a string, for messages gptme builds with `!r` or a list's `str()`. */
export function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let escaped = "";
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (character === "\\") escaped += "\\\\";
    else if (character === quote) escaped += `\\${quote}`;
    else if (character === "\n") escaped += "\\n";
    else if (character === "\r") escaped += "\\r";
    else if (character === "\t") escaped += "\\t";
    else if (code < 0x20 || code === 0x7f) escaped += `\\x${code.toString(16).padStart(2, "0")}`;
    else escaped += character;
  }
  return `${quote}${escaped}${quote}`;
}

/** Python's `str()` of a list of strings: `['a', 'b']`. */
export function pythonList(items: string[]): string {
  return `[${items.map(pythonRepr).join(", ")}]`;
}

/** The path a markdown block names: `save path with spaces` may arrive as one arg or split by spaces. */
export function pathFromArgs(toolName: string, args: string[]): string {
  const joined = args.join(" ").trim();
  return joined.startsWith(`${toolName} `) ? joined.slice(toolName.length + 1).trim() : joined;
}
