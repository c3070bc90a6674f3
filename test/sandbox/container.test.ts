/**
 * The `container` backend against a real engine (podman's Docker-compatible API, started by
 * `npm run test:containers`, which sets GPTME_TEST_DOCKER_HOST; skipped without it). The escape
 * tests in test/server/sandbox-escape.test.ts attack it through a real server; these check what
 * is particular to it: programs looked for in the image, the container's life, a remote engine's
 * volume and output area through exec.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { resolveSandboxSettings } from "../../runtime/sandbox/settings.js";
import { createToolRegistry } from "../../runtime/tools/registry.js";
import { CONTAINER_TEST_ENV } from "../support/sandboxes.js";
import { createSandboxManager, type SandboxManager } from "../../runtime/sandbox/manager.js";

const directory = mkdtempSync(join(tmpdir(), "gptme-container-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function manager(extra: Record<string, string> = {}): SandboxManager {
  const env = { ...process.env, ...CONTAINER_TEST_ENV, GPTME_SANDBOX_PIDS: "64", GPTME_SANDBOX_MEMORY: "256M", ...extra };
  const settings = resolveSandboxSettings({ backendFlag: "container", env, configPath: null, defaultBackend: "bwrap" });
  const made = createSandboxManager({ settings, environment: env, secrets: [] });
  if (made.report.backend !== "container") throw new Error(`the container backend did not start: ${made.report.warning}`);
  return made;
}

const ours = async (docker: Docker, conversation: string) =>
  (await docker.listContainers({ all: true, filters: { label: [`gptme.conversation=${conversation}`] } })).length;

describe.runIf(CONTAINER_TEST_ENV)("the container backend", { timeout: 180_000 }, () => {
  const docker = new Docker({ socketPath: CONTAINER_TEST_ENV?.DOCKER_HOST.replace("unix://", "") });

  it("reports itself, checks programs in the image, and runs as the server's user in its own container", async () => {
    const sandboxes = manager();
    try {
      expect(sandboxes.report).toMatchObject({ backend: "container", isolated: true, limits: { available: true }, warning: null });
      expect(sandboxes.report.limits.detail).toContain("64 processes, 256 MiB memory");
      expect(sandboxes.hasProgram("tmux")).toBe(true);
      expect(sandboxes.hasProgram("hyperfine")).toBe(false);
      expect(createToolRegistry({ tools: ["shell", "tmux"] }).all().map((tool) => tool.name)).toEqual(["shell", "tmux"]);
      const workspace = join(directory, "local");
      mkdirSync(workspace);
      const sandbox = sandboxes.forConversation("container-local", workspace);
      const result = await sandbox.exec(["sh", "-c", 'id -u; echo "$HOME"; echo made > file.txt']);
      expect(result.stdout.toString()).toBe(`${process.getuid!()}\n/home/gptme\n`);
      expect(readFileSync(join(workspace, "file.txt"), "utf8")).toBe("made\n");
      // Signals reach the command's whole process group (through another exec), and a timeout stops it.
      const started = await sandbox.spawn(["sh", "-c", "sleep 300 & sleep 300; echo never"]);
      expect(await started.kill(0)).toBe(true);
      expect(await started.kill("SIGTERM")).toBe(true);
      expect(await started.exited).toEqual({ code: null, signal: "SIGTERM" });
      const left = await sandbox.exec(["sh", "-c", "ps -eo args 2>/dev/null | grep -c '^sleep 300' || true"]);
      expect(left.stdout.toString().trim()).toBe("0");
      const timed = await sandbox.exec(["sleep", "300"], { timeoutMilliseconds: 1000 });
      expect(timed).toMatchObject({ code: null, timedOut: true });
      expect(await ours(docker, "container-local")).toBe(1);
      await sandboxes.remove("container-local");
      expect(await ours(docker, "container-local")).toBe(0);
    } finally {
      await sandboxes.disposeAll();
    }
  });

  it("keeps a remote engine's workspace in a named volume, and its outputs through exec", async () => {
    const sandboxes = manager({ GPTME_SANDBOX_REMOTE_ENGINE: "1" });
    const volume = "gptme-workspace-container-remote";
    try {
      expect(sandboxes.report.warning).toMatch(/remote: workspaces live in its volumes/);
      const workspace = join(directory, "remote");
      mkdirSync(workspace);
      const sandbox = sandboxes.forConversation("container-remote", workspace);
      await sandbox.files.write(join(workspace, "notes.txt"), "in the volume\n");
      expect(() => readFileSync(join(workspace, "notes.txt"))).toThrow(/ENOENT/);
      const shell = createToolRegistry({ tools: ["shell"] });
      const context = { workspace, conversationId: "container-remote", signal: new AbortController().signal, sandbox };
      const output = await shell.execute({ tool: "shell", args: [], content: "cat notes.txt; seq 1 3" }, context);
      expect(output).toContain("in the volume\n1\n2\n3");
      const name = await sandbox.outputs.write("kept.txt", "abcdef");
      expect(name).toBe("/tmp/gptme-outputs/kept.txt");
      expect((await sandbox.outputs.read("kept.txt", 2, 3)).toString()).toBe("cde");
      expect(await sandbox.outputs.size("kept.txt")).toBe(6);
      await expect(sandbox.outputs.write("kept.txt", "again")).rejects.toThrow();
      await sandboxes.remove("container-remote");
      // A new sandbox of the conversation finds its workspace again.
      const again = sandboxes.forConversation("container-remote", workspace);
      expect((await again.files.read(join(workspace, "notes.txt"), 100)).toString()).toBe("in the volume\n");
    } finally {
      await sandboxes.disposeAll();
      await docker.getVolume(volume).remove().catch(() => {});
    }
  });
});
