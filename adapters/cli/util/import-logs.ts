/**
 * `gptme-util import <dir>`: gptme conversations (a logs dir, or one conversation dir) into the
 * store. Each conversation is read completely first and written with one `create` (its branches
 * appended right after, and the whole conversation removed again if that fails), so nothing is
 * ever half imported. An id already in the store is skipped, or replaced with `--replace`.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import { conversationDirectory } from "../../../runtime/config/paths.js";
import { defaultChatConfig } from "../../../runtime/conversations/chat-config.js";
import { resolveWorkspace } from "../../../runtime/conversations/workspaces.js";
import { plural } from "../plural.js";
import type { ChatConfig, ConversationStore, Message } from "../../../runtime/store/types.js";
import { UsageError, validateConversationId } from "../arguments.js";
import { CliError } from "../exit.js";
import { expandTilde, parseChatConfigToml, parseConversationJsonl } from "./gptme-log.js";

export interface ImportOptions {
  store: ConversationStore;
  dataDirectory: string;
  replace: boolean;
  /** One line per event: imported, skipped, a bad line. */
  report: (line: string) => void;
  home?: string;
}

export interface ImportSummary {
  imported: number;
  skipped: number;
  failed: number;
  badLines: number;
}

interface ReadConversation {
  id: string;
  config: ChatConfig;
  workspace: string;
  branches: Record<string, Message[]>;
}

/** The conversation dirs under `path`: itself if it holds a `conversation.jsonl`, else its children that do. */
export function conversationDirectories(path: string): string[] {
  const root = resolve(path);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new CliError(`${path} is not a directory`);
  if (existsSync(join(root, "conversation.jsonl"))) return [root];
  const found = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, "conversation.jsonl")))
    .map((entry) => join(root, entry.name))
    .sort();
  if (found.length === 0) throw new CliError(`${path} holds no gptme conversation (no conversation.jsonl in it or its folders)`);
  return found;
}

export async function importConversations(path: string, options: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { imported: 0, skipped: 0, failed: 0, badLines: 0 };
  for (const directory of conversationDirectories(path)) {
    const id = basename(directory);
    try {
      validateConversationId(id);
    } catch (error) {
      options.report(`Skipped ${directory}: ${(error as UsageError).message}`);
      summary.skipped += 1;
      continue;
    }
    if ((await options.store.get(id)) && !options.replace) {
      options.report(`Skipped ${id}: already in the store (use --replace to import it again)`);
      summary.skipped += 1;
      continue;
    }
    const conversation = readConversation(directory, id, options, summary);
    if (!conversation) {
      summary.failed += 1;
      continue;
    }
    try {
      await write(conversation, options);
    } catch (error) {
      options.report(`Failed ${id}: ${error instanceof Error ? error.message : String(error)}`);
      summary.failed += 1;
      continue;
    }
    const branchCount = Object.keys(conversation.branches).length - 1;
    const messageCount = conversation.branches.main!.length;
    options.report(`Imported ${id}: ${plural(messageCount, "message")}${branchCount > 0 ? `, ${plural(branchCount, "other branch", "other branches")}` : ""}`);
    summary.imported += 1;
  }
  return summary;
}

function readConversation(directory: string, id: string, options: ImportOptions, summary: ImportSummary): ReadConversation | null {
  const branches: Record<string, Message[]> = {};
  const readLog = (file: string, branch: string) => {
    const fallback = statSync(file).mtime.toISOString();
    const log = parseConversationJsonl(readFileSync(file, "utf8"), fallback);
    for (const problem of log.problems) options.report(`${file}:${problem.line}: skipped: ${problem.reason}`);
    summary.badLines += log.problems.length;
    branches[branch] = log.messages;
  };
  readLog(join(directory, "conversation.jsonl"), "main");
  if (branches.main!.length === 0) {
    options.report(`Failed ${id}: conversation.jsonl has no readable message`);
    return null;
  }
  const branchDirectory = join(directory, "branches");
  if (existsSync(branchDirectory)) {
    for (const file of readdirSync(branchDirectory).filter((name) => name.endsWith(".jsonl")).sort()) {
      const branch = file.slice(0, -".jsonl".length);
      if (branch && branch !== "main") readLog(join(branchDirectory, file), branch);
    }
  }
  const config = readConfig(directory, options);
  const workspace = workspaceOf(config, directory, id, options);
  config.chat.workspace = workspace;
  return { id, config, workspace, branches };
}

function readConfig(directory: string, options: ImportOptions): ChatConfig {
  const { chat: defaults } = defaultChatConfig([]);
  delete defaults.tools;
  const file = join(directory, "config.toml");
  if (!existsSync(file)) return { chat: defaults, env: {} };
  try {
    const read = parseChatConfigToml(readFileSync(file, "utf8"));
    // The file's own keys first, in its order; our defaults only fill what it leaves out.
    return { ...read, chat: { ...read.chat, ...Object.fromEntries(Object.entries(defaults).filter(([key]) => !(key in read.chat))) } };
  } catch (error) {
    options.report(`${file}: not readable TOML, using the default config (${(error as Error).message.split("\n")[0]})`);
    return { chat: defaults, env: {} };
  }
}

/** The configured workspace; else gptme's `<logdir>/workspace` (a symlink or a folder); else our own `@log` folder. */
function workspaceOf(config: ChatConfig, directory: string, id: string, options: ImportOptions): string {
  const home = options.home ?? homedir();
  const configured = typeof config.chat.workspace === "string" ? config.chat.workspace.trim() : "";
  if (configured && configured !== "@log") return resolve(directory, expandTilde(configured, home));
  const logWorkspace = join(directory, "workspace");
  if (existsSync(logWorkspace)) return realpathSync(logWorkspace);
  return resolveWorkspace("@log", { conversationDirectory: conversationDirectory(options.dataDirectory, id), defaultWorkspace: directory });
}

async function write(conversation: ReadConversation, options: ImportOptions): Promise<void> {
  const { id, branches, config } = conversation;
  const main = branches.main!;
  if (options.replace) await options.store.delete(id);
  const firstTime = Date.parse(main[0]!.timestamp);
  await options.store.create({
    id,
    name: typeof config.chat.name === "string" && config.chat.name ? config.chat.name : undefined,
    config,
    workspace: conversation.workspace,
    messages: main,
    created: Number.isFinite(firstTime) ? firstTime / 1000 : undefined,
  });
  try {
    for (const [branch, messages] of Object.entries(branches)) {
      if (branch !== "main" && messages.length > 0) await options.store.append(id, messages, branch);
    }
  } catch (error) {
    await options.store.delete(id);
    throw error;
  }
}
