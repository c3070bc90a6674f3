/**
 * Function names providers accept for native tool calls (`^[a-zA-Z0-9_-]{1,64}$`, OpenAI's rule,
 * which Anthropic's allows too). gptme names MCP tools `<server>.<tool>`; the dot and any other
 * character outside that set are mapped here, the same way wherever a name is sent (the offered
 * tools and the calls in the history), and the registry maps a called name back to its tool.
 */
import { createHash } from "node:crypto";

const validName = /^[a-zA-Z0-9_-]{1,64}$/;
const maxLength = 64;

/** `shell` → `shell`; `everything.echo` → `everything__echo`; too long → cut, with a hash of the whole name. */
export function nativeToolName(name: string): string {
  if (validName.test(name)) return name;
  const mapped = name.replace(/\./g, "__").replace(/[^a-zA-Z0-9_-]/g, "_") || "tool";
  if (mapped.length <= maxLength) return mapped;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${mapped.slice(0, maxLength - hash.length - 1)}_${hash}`;
}
