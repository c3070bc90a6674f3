/**
 * The conversation as TOML for `/edit`, in gptme's layout: one `[[messages]]` table per message,
 * the content as a multi-line string so it reads and edits naturally. Parsed back with smol-toml.
 */
import { parse } from "smol-toml";
import type { Message, MessageMetadata, Role } from "../../../runtime/store/types.js";
import { CliError } from "../exit.js";

export function messagesToToml(messages: Message[]): string {
  return messages.map(messageTable).join("\n");
}

function messageTable(message: Message): string {
  const lines = ["[[messages]]", `role = ${tomlValue(message.role)}`, `content = ${multilineString(message.content)}`];
  lines.push(`timestamp = ${tomlValue(message.timestamp)}`);
  if (message.files?.length) lines.push(`files = ${tomlValue(message.files)}`);
  if (message.pinned) lines.push("pinned = true");
  if (message.hide) lines.push("hide = true");
  if (message.call_id) lines.push(`call_id = ${tomlValue(message.call_id)}`);
  if (message.metadata && Object.keys(message.metadata).length > 0) lines.push(`metadata = ${tomlValue(message.metadata)}`);
  return `${lines.join("\n")}\n`;
}

/** `"""` + newline (dropped by TOML) + the text, escaped so that `\`, `"""` and control characters survive. */
function multilineString(text: string): string {
  const escaped = text
    .replace(/\\/g, "\\\\")
    .replace(/"""/g, '""\\"')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
  // A closing run of quotes would merge with the delimiter beyond what TOML allows.
  const safeEnd = escaped.endsWith('"') ? `${escaped.slice(0, -1)}\\"` : escaped;
  return `"""\n${safeEnd}"""`;
}

function tomlValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value).replace(/\u007f/g, "\\u007f");
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(", ")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined && item !== null);
    return `{ ${entries.map(([key, item]) => `${tomlKey(key)} = ${tomlValue(item)}`).join(", ")} }`;
  }
  return '""';
}

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

const roles: Role[] = ["system", "user", "assistant"];

/** Throws `CliError` naming the problem (the caller keeps the conversation unchanged). */
export function messagesFromToml(text: string): Message[] {
  let document: Record<string, unknown>;
  try {
    document = parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`The edited conversation is not valid TOML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  const tables = document.messages ?? [];
  if (!Array.isArray(tables)) throw new CliError("The edited conversation needs [[messages]] tables");
  return tables.map((table, index) => messageFrom(table as Record<string, unknown>, index + 1));
}

function messageFrom(table: Record<string, unknown>, position: number): Message {
  const fail = (problem: string): never => {
    throw new CliError(`Message ${position} of the edited conversation: ${problem}`);
  };
  if (!roles.includes(table.role as Role)) fail(`role must be one of ${roles.join(", ")}`);
  if (typeof table.content !== "string") fail("content must be a string");
  const message: Message = {
    role: table.role as Role,
    content: table.content as string,
    timestamp: typeof table.timestamp === "string" ? table.timestamp : new Date().toISOString(),
  };
  if (Array.isArray(table.files)) message.files = table.files.map(String);
  if (table.pinned === true) message.pinned = true;
  if (table.hide === true) message.hide = true;
  if (typeof table.call_id === "string" && table.call_id) message.call_id = table.call_id;
  if (table.metadata && typeof table.metadata === "object") message.metadata = table.metadata as MessageMetadata;
  return message;
}
