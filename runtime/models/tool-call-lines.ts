/**
 * The lines gptme's tool format writes into an assistant message for each native tool call,
 * `@<tool>(<call_id>): {json arguments}`, read back so they can be sent to the provider as calls.
 */

export interface ToolCallLine {
  id: string;
  name: string;
  /** The JSON arguments as written. */
  arguments: string;
  /** Lines `[start, end)` of the content that hold this call. */
  start: number;
  end: number;
}

/** Tool names may hold `-` (MCP servers and tools such as `chrome-devtools.take-snapshot`). */
const callPattern = /^@([\w.-]+)\(([\w\-:.]+)\):\s*(\{.*)$/;
/** Pretty-printed arguments span lines; a bound keeps an unparsable call line from costing O(n²). */
const maxContinuationLines = 200;

/** Finds the tool-call lines of a message's content (arguments may continue on following lines). */
export function parseToolCallLines(content: string): ToolCallLine[] {
  const lines = content.split("\n");
  const calls: ToolCallLine[] = [];
  for (let index = 0; index < lines.length; index++) {
    const match = callPattern.exec(lines[index]);
    if (!match) continue;
    let json = match[3];
    const last = Math.min(lines.length, index + maxContinuationLines);
    for (let end = index + 1; end <= last; end++) {
      if (isJsonObject(json)) {
        calls.push({ name: match[1], id: match[2], arguments: json.trim(), start: index, end });
        index = end - 1;
        break;
      }
      if (end < last) json += "\n" + lines[end];
    }
  }
  return calls;
}

/** The content without the given calls' lines, trimmed. */
export function withoutToolCallLines(content: string, calls: ToolCallLine[]): string {
  const lines = content.split("\n");
  const removed = new Set(calls.flatMap((call) => range(call.start, call.end)));
  return lines.filter((_, index) => !removed.has(index)).join("\n").trim();
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, offset) => start + offset);
}
