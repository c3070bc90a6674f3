/**
 * The shell of each sandbox (so of each conversation): started on first use, commands queued one
 * at a time, restarted in its last directory after it ended. A shell lives and dies with its
 * sandbox: removing the sandbox ends the shell and everything it started.
 */
import type { Sandbox } from "../sandbox/types.js";
import { ShellSession, type ShellRunOptions, type ShellRunResult } from "./shell-session.js";

interface Entry {
  session?: ShellSession;
  /** Where a replacement shell starts: the last directory the previous one reported. */
  directory: string;
  queue: Promise<unknown>;
}

const entries = new WeakMap<Sandbox, Entry>();

async function isDirectory(sandbox: Sandbox, directory: string): Promise<boolean> {
  const found = await sandbox.files.stat(directory).catch(() => null);
  return found?.type === "directory";
}

async function liveSession(sandbox: Sandbox, entry: Entry): Promise<ShellSession> {
  if (entry.session?.alive) return entry.session;
  // A replacement shell goes back to where the last one was, if that still exists.
  if (entry.session && entry.directory !== sandbox.workspace && !(await isDirectory(sandbox, entry.directory))) {
    entry.directory = sandbox.workspace;
  }
  try {
    entry.session = await ShellSession.start(sandbox, entry.directory);
  } catch (error) {
    // Checked only on failure, to keep a first command's start to one process.
    if (sandbox.disposed) throw error;
    if (!(await isDirectory(sandbox, sandbox.workspace))) throw new Error(`Workspace directory does not exist: ${sandbox.workspace}`);
    throw error;
  }
  return entry.session;
}

/** Runs `command` in the sandbox's shell, after any command already queued there. */
export function runInShell(sandbox: Sandbox, command: string, options: ShellRunOptions): Promise<ShellRunResult> {
  let entry = entries.get(sandbox);
  if (!entry) {
    entry = { directory: sandbox.workspace, queue: Promise.resolve() };
    entries.set(sandbox, entry);
  }
  const current = entry;
  const run = current.queue.then(async () => {
    const session = await liveSession(sandbox, current);
    try {
      return await session.run(command, options);
    } catch (error) {
      if (!session.alive && session.diagnostics) throw new Error(`${(error as Error).message}: ${session.diagnostics}`);
      throw error;
    } finally {
      current.directory = session.currentDirectory;
      if (!session.alive) await session.close();
    }
  });
  current.queue = run.catch(() => {});
  return run;
}
