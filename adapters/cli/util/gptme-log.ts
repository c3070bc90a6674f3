/**
 * gptme's on-disk conversation format: `conversation.jsonl` (and `branches/*.jsonl`) with one
 * `Message.to_dict()` per line, and `config.toml`. Reading reports bad lines by number instead of
 * failing; writing produces what gptme writes.
 */
import { homedir } from "node:os";
import { parse, stringify } from "smol-toml";
import type { ChatConfig, Message, MessageMetadata, Role } from "../../../runtime/store/types.js";
import { pythonJsonDumps } from "./python-json.js";

export interface LineProblem {
  line: number;
  reason: string;
}

export interface ParsedLog {
  messages: Message[];
  problems: LineProblem[];
}

const roles: Role[] = ["system", "user", "assistant"];

/** `fallbackTimestamp` is used for a message without one (gptme always writes it). */
export function parseConversationJsonl(text: string, fallbackTimestamp: string): ParsedLog {
  const messages: Message[] = [];
  const problems: LineProblem[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const result = messageFromLine(line, messages.at(-1)?.timestamp ?? fallbackTimestamp);
    if (typeof result === "string") problems.push({ line: index + 1, reason: result });
    else messages.push(result);
  });
  return { messages, problems };
}

/** A message, or why the line is not one. */
function messageFromLine(line: string, fallbackTimestamp: string): Message | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return `not valid JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const record = value as Record<string, unknown>;
  if (!roles.includes(record.role as Role)) return `unknown role ${JSON.stringify(record.role)}`;
  if (typeof record.content !== "string") return "content is not a string";
  const message: Message = {
    role: record.role as Role,
    content: record.content,
    timestamp: typeof record.timestamp === "string" && record.timestamp ? record.timestamp : fallbackTimestamp,
  };
  if (Array.isArray(record.files) && record.files.length > 0) message.files = record.files.map(String);
  if (record.pinned) message.pinned = true;
  if (record.hide) message.hide = true;
  if (typeof record.call_id === "string" && record.call_id) message.call_id = record.call_id;
  if (record.metadata && typeof record.metadata === "object" && !Array.isArray(record.metadata)) {
    message.metadata = flatMetadata(record.metadata as Record<string, unknown>);
  }
  return message;
}

/** gptme HEAD nests token counts under `usage`; our store (and v0.31) keeps them flat. */
export function flatMetadata(metadata: Record<string, unknown>): MessageMetadata {
  const { usage, ...rest } = metadata;
  if (!usage || typeof usage !== "object") return rest as MessageMetadata;
  const flat: MessageMetadata = { ...rest };
  for (const key of ["input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens"]) {
    const count = (usage as Record<string, unknown>)[key];
    if (typeof count === "number" && flat[key] === undefined) flat[key] = count;
  }
  return flat;
}

/** One line as gptme's `json.dumps(msg.to_dict())`: optional keys only when truthy, in gptme's order. */
export function messageToJsonLine(message: Message): string {
  const record: Record<string, unknown> = { role: message.role, content: message.content, timestamp: message.timestamp };
  if (message.files?.length) record.files = message.files;
  if (message.pinned) record.pinned = true;
  if (message.hide) record.hide = true;
  if (message.call_id) record.call_id = message.call_id;
  if (message.metadata && Object.keys(message.metadata).length > 0) record.metadata = message.metadata;
  return pythonJsonDumps(record);
}

export function conversationJsonl(messages: Message[]): string {
  return messages.map((message) => `${messageToJsonLine(message)}\n`).join("");
}

/** `config.toml` into a ChatConfig; throws with the parser's message when it is not TOML. */
export function parseChatConfigToml(text: string): ChatConfig {
  const document = parse(text) as Record<string, unknown>;
  const table = (value: unknown) => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
  const config: ChatConfig = {
    chat: table(document.chat),
    env: Object.fromEntries(Object.entries(table(document.env)).map(([key, value]) => [key, String(value)])),
  };
  if (document.mcp !== undefined) config.mcp = table(document.mcp);
  return config;
}

/** A ChatConfig as gptme's `config.toml` (workspace written with `~`, as gptme does). */
export function chatConfigToml(config: ChatConfig, home: string = homedir()): string {
  const chat = Object.fromEntries(Object.entries(config.chat).filter(([, value]) => value !== undefined && value !== null));
  if (typeof chat.workspace === "string") chat.workspace = withTilde(chat.workspace, home);
  if (typeof chat.agent === "string") chat.agent = withTilde(chat.agent, home);
  const document: Record<string, unknown> = { chat, env: config.env ?? {} };
  if (config.mcp) document.mcp = config.mcp;
  return stringify(document);
}

export function withTilde(path: string, home: string): string {
  if (path === home) return "~";
  return path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

export function expandTilde(path: string, home: string): string {
  if (path === "~") return home;
  return path.startsWith("~/") ? `${home}${path.slice(1)}` : path;
}
