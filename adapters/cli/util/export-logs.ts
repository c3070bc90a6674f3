/**
 * `gptme-util export <id> [--dir D]`: a stored conversation in gptme's on-disk layout, so gptme
 * itself can open it: `<D>/<id>/conversation.jsonl`, `config.toml`, `branches/<branch>.jsonl`, and
 * the `workspace` symlink.
 */
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ConversationStore } from "../../../runtime/store/types.js";
import { CliError } from "../exit.js";
import { chatConfigToml, conversationJsonl } from "./gptme-log.js";

export interface ExportResult {
  directory: string;
  messages: number;
  branches: number;
}

export async function exportConversation(store: ConversationStore, id: string, targetDirectory: string): Promise<ExportResult> {
  const conversation = await store.get(id);
  if (!conversation) throw new CliError(`There is no conversation ${id} (see gptme-util chats list)`);
  const { main = [], ...others } = await store.branches(id);
  const directory = resolve(targetDirectory, id);
  mkdirSync(join(directory, "branches"), { recursive: true });
  writeFileSync(join(directory, "conversation.jsonl"), conversationJsonl(main));
  const config = { ...conversation.config, chat: { ...conversation.config.chat, workspace: conversation.workspace } };
  if (!config.chat.name && conversation.name !== id) config.chat.name = conversation.name;
  writeFileSync(join(directory, "config.toml"), chatConfigToml(config));
  for (const [branch, messages] of Object.entries(others)) {
    writeFileSync(join(directory, "branches", `${branch}.jsonl`), conversationJsonl(messages));
  }
  linkWorkspace(join(directory, "workspace"), conversation.workspace);
  return { directory, messages: main.length, branches: Object.keys(others).length };
}

/** gptme keeps a `workspace` symlink in the log dir; a real folder there (an `@log` workspace) is left alone. */
function linkWorkspace(link: string, workspace: string): void {
  try {
    const existing = lstatSync(link, { throwIfNoEntry: false });
    if (existing && !existing.isSymbolicLink()) return;
    if (existing) rmSync(link);
    if (existsSync(workspace) && resolve(workspace) !== resolve(link)) symlinkSync(workspace, link, "dir");
  } catch {
    // The link is a convenience for gptme's workspace lookup; the workspace is also in config.toml.
  }
}
