/** A temporary workspace per test, a ToolContext over it, and the conversation's sandbox on a chosen backend. */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { chmod, mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach } from "vitest";
import type { SandboxManager } from "../../runtime/sandbox/manager.js";
import type { ToolContext } from "../../runtime/tools/tool.js";
import { giveToToolsUser, testSandboxManager, type LocalBackend } from "../support/sandboxes.js";

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Runs `cleanup` after the current test (registered cleanups run last-in, first-out). */
export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(async () => cleanup());
}

export interface TestContext extends ToolContext {
  workspace: string;
  /** A directory outside the workspace (and outside any sandbox's view), for files the tools must not reach. */
  outside: string;
  controller: AbortController;
  /**
   * Writes a file (and makes a folder) in the workspace as its owner would: under `user` the
   * tools run as another user, who owns the workspace and what the test puts in it.
   */
  writeFile(file: string, content: string | Uint8Array): Promise<void>;
  mkdir(directory: string): Promise<void>;
}

const managers = new Map<LocalBackend, SandboxManager>();
const homes: string[] = [];
afterAll(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

/** One manager per backend and test file; each context gets its own conversation (and so sandbox). */
export function sandboxManager(backend: LocalBackend): SandboxManager {
  let manager = managers.get(backend);
  if (manager) return manager;
  // A HOME of its own: the tools (tmux's shell, say) must not run the host user's rc files.
  const home = mkdtempSync(path.join(os.tmpdir(), "gptme-tools-home-"));
  homes.push(home);
  manager = testSandboxManager(backend, { environment: { ...process.env, HOME: home } });
  managers.set(backend, manager);
  return manager;
}

export async function makeContext(backend: LocalBackend = "none", overrides: Partial<ToolContext> = {}): Promise<TestContext> {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), "gptme-tools-test-")));
  onCleanup(() => rm(root, { recursive: true, force: true }));
  const workspace = path.join(root, "workspace");
  const outside = path.join(root, "outside");
  await Promise.all([mkdir(workspace), mkdir(outside)]);
  if (backend === "user") {
    // The tools user passes through the test's folder to a workspace of its own; `outside` stays the test's.
    await chmod(root, 0o711);
    giveToToolsUser(backend, workspace);
  }
  const controller = new AbortController();
  const conversationId = `test-${randomUUID()}`;
  const manager = sandboxManager(backend);
  const sandbox = manager.forConversation(conversationId, workspace);
  onCleanup(() => manager.remove(conversationId));
  return {
    workspace,
    outside,
    conversationId,
    signal: controller.signal,
    controller,
    sandbox,
    async writeFile(file, content) {
      await writeFile(file, content);
      giveToToolsUser(backend, file);
    },
    async mkdir(directory) {
      await mkdir(directory);
      giveToToolsUser(backend, directory);
    },
    ...overrides,
  };
}
