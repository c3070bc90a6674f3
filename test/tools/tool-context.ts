/** A temporary workspace and data directory per test, and a ToolContext over them. */
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import type { ToolContext } from "../../runtime/tools/tool.js";

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
  dataDirectory: string;
  controller: AbortController;
}

export async function makeContext(overrides: Partial<ToolContext> = {}): Promise<TestContext> {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), "gptme-tools-test-")));
  onCleanup(() => rm(root, { recursive: true, force: true }));
  const workspace = path.join(root, "workspace");
  const dataDirectory = path.join(root, "data");
  await Promise.all([mkdir(workspace), mkdir(dataDirectory)]);
  const controller = new AbortController();
  return {
    workspace,
    dataDirectory,
    conversationId: `test-${randomUUID()}`,
    signal: controller.signal,
    controller,
    ...overrides,
  };
}
