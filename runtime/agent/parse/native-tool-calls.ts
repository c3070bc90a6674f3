/**
 * gptme's record of native tool calls in an assistant message's content:
 * `@<tool>(<call_id>): {json arguments}`, one per line; the JSON may span lines.
 */

export interface NativeToolCall {
  name: string;
  callId: string;
  parameters: Record<string, unknown>;
  /** Offset of the `@` and just past the JSON object. */
  start: number;
  end: number;
}

/** Tool names may hold `-` (MCP servers and tools such as `chrome-devtools.take-snapshot`). */
const callPattern = /^@([\w.-]+)\(([\w\-:.]+)\):[ \t]*\{/gm;

/**
 * The complete calls in `text`, in order; `skip` holds ranges (code blocks) whose calls are only
 * quoted. A call whose JSON is unfinished or invalid is not a call.
 */
export function scanNativeToolCalls(text: string, skip: Array<{ start: number; end: number }> = []): NativeToolCall[] {
  const calls: NativeToolCall[] = [];
  callPattern.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = callPattern.exec(text)) !== null) {
    const start = match.index;
    const quoted = skip.find((range) => range.start <= start && start < range.end);
    if (quoted) {
      callPattern.lastIndex = quoted.end;
      continue;
    }
    const jsonStart = start + match[0].length - 1;
    const jsonEnd = findJsonObjectEnd(text, jsonStart);
    if (jsonEnd === undefined) break;
    const parameters = parseObject(text.slice(jsonStart, jsonEnd));
    if (parameters) calls.push({ name: match[1], callId: match[2], parameters, start, end: jsonEnd });
    callPattern.lastIndex = jsonEnd;
  }
  return calls;
}

/** Offset just past the `}` matching the `{` at `start`, skipping braces inside strings. */
export function findJsonObjectEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (character === "\\") index++;
      else if (character === '"') inString = false;
    } else if (character === '"') {
      inString = true;
    } else if (character === "{") {
      depth++;
    } else if (character === "}") {
      depth--;
      if (depth === 0) return index + 1;
    }
  }
  return undefined;
}

function parseObject(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
