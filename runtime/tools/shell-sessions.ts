/** The shells of all conversations: one per conversation id, commands queued one at a time. */
import { statSync } from "node:fs";
import { ShellSession, type ShellRunOptions, type ShellRunResult } from "./shell-session.js";

interface Entry {
  session?: ShellSession;
  /** Where a replacement shell starts: the last directory the previous one reported. */
  directory: string;
  queue: Promise<unknown>;
}

const entries = new Map<string, Entry>();

function isDirectory(directory: string): boolean {
  try {
    return statSync(directory).isDirectory();
  } catch {
    return false;
  }
}

function liveSession(entry: Entry, workspace: string): ShellSession {
  if (entry.session?.alive) return entry.session;
  if (!isDirectory(entry.directory)) entry.directory = workspace;
  if (!isDirectory(entry.directory)) throw new Error(`Workspace directory does not exist: ${workspace}`);
  entry.session = new ShellSession(entry.directory);
  return entry.session;
}

/**
 * Runs `command` in the conversation's shell (started in `workspace` on first use, and again in
 * its last directory after it ended), after any command already queued for that conversation.
 */
export function runInShell(
  conversationId: string,
  workspace: string,
  command: string,
  options: ShellRunOptions,
): Promise<ShellRunResult> {
  let entry = entries.get(conversationId);
  if (!entry) {
    entry = { directory: workspace, queue: Promise.resolve() };
    entries.set(conversationId, entry);
  }
  const current = entry;
  const run = current.queue.then(async () => {
    const session = liveSession(current, workspace);
    try {
      return await session.run(command, options);
    } finally {
      current.directory = session.currentDirectory;
      if (!session.alive) await session.close();
    }
  });
  current.queue = run.catch(() => {});
  return run;
}

/** Ends a conversation's shell and everything it started (e.g. when the conversation is deleted). */
export async function closeShell(conversationId: string): Promise<void> {
  const entry = entries.get(conversationId);
  entries.delete(conversationId);
  await entry?.session?.close();
}

/** Ends every shell; for shutdown. */
export async function closeAllShells(): Promise<void> {
  await Promise.all([...entries.keys()].map((conversationId) => closeShell(conversationId)));
}

process.once("exit", () => {
  for (const entry of entries.values()) entry.session?.closeNow();
});
