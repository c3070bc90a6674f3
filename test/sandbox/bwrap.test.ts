/**
 * What a bubblewrap sandbox's processes see and can do, attacked from inside through the Sandbox
 * interface (the HTTP-level escape tests are in test/server/sandbox-escape.test.ts).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../runtime/sandbox/types.js";
import { LOCAL_BACKENDS, testSandboxManager } from "../support/sandboxes.js";

const text = async (sandbox: Sandbox, script: string) => {
  const result = await sandbox.exec(["sh", "-c", script]);
  return { code: result.code, out: result.stdout.toString("utf8"), err: result.stderr.toString("utf8") };
};

/** Host processes whose command line holds `marker`. */
function hostProcessesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker)) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe.runIf(LOCAL_BACKENDS.includes("bwrap"))("the bwrap sandbox", () => {
  let root: string;
  let workspace: string;
  let secretDirectory: string;
  let secretFile: string;

  beforeAll(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "gptme-bwrap-test-")));
    workspace = join(root, "workspace");
    secretDirectory = join(workspace, "data");
    secretFile = join(workspace, "gptme.db");
    mkdirSync(secretDirectory, { recursive: true });
    writeFileSync(join(secretDirectory, "token.txt"), "SECRET-IN-DATA-DIR");
    writeFileSync(secretFile, "SECRET-IN-DATABASE");
    writeFileSync(join(root, "beside-the-workspace.txt"), "NOT-IN-THE-WORKSPACE");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const sandboxFor = (overrides: Parameters<typeof testSandboxManager>[1] = {}) =>
    testSandboxManager("bwrap", { secrets: [secretDirectory, secretFile], ...overrides }).forConversation(`c-${randomBytes(4).toString("hex")}`, workspace);

  it("shows the workspace read-write at its own path, the system read-only, and nothing else of the host", async () => {
    const sandbox = sandboxFor();
    const { out } = await text(
      sandbox,
      `pwd; echo made > made.txt && echo workspace-writable; touch /usr/x 2>/dev/null || echo usr-read-only; ` +
        `cat ${join(root, "beside-the-workspace.txt")} 2>/dev/null || echo beside-hidden; ls /tmp; echo "home=$HOME"; ls -A "$HOME"`,
    );
    expect(out).toContain(`${workspace}\nworkspace-writable\nusr-read-only\nbeside-hidden\n`);
    expect(readFileSync(join(workspace, "made.txt"), "utf8")).toBe("made\n");
    expect(out).not.toContain("NOT-IN-THE-WORKSPACE");
    // /tmp is private: only the output area and the mount points of the workspace's path.
    expect(out).toMatch(/gptme-outputs\n/);
    expect(out).not.toMatch(/gptme-sandboxes-/);
  });

  it("masks the server's secrets even inside the workspace, and the mask cannot be removed", async () => {
    const sandbox = sandboxFor();
    const { out } = await text(
      sandbox,
      `ls -A ${secretDirectory}; echo listed; cat ${secretFile}; echo read; umount ${secretDirectory} 2>&1; umount ${secretFile} 2>&1; ` +
        `unshare -Urm sh -c 'umount ${secretDirectory} && cat ${secretDirectory}/token.txt' 2>&1; cat ${secretDirectory}/token.txt 2>&1; grep CapEff /proc/self/status`,
    );
    expect(out).toContain("listed\nread\n");
    expect(out).not.toContain("SECRET-IN-DATA-DIR");
    expect(out).not.toContain("SECRET-IN-DATABASE");
    expect(out).toMatch(/CapEff:\s+0+\n/);
    // On the host, both are untouched.
    expect(readFileSync(secretFile, "utf8")).toBe("SECRET-IN-DATABASE");
  });

  it("runs every process in one PID namespace: they see each other, never the server", async () => {
    const sandbox = sandboxFor();
    const marker = `marker-${randomBytes(4).toString("hex")}`;
    const shell = await sandbox.spawn(["sh", "-c", `echo ready; sleep 1000; : ${marker}`]);
    await new Promise((resolve) => shell.stdout.once("data", resolve));
    const { out } = await text(sandbox, `ps -eo args; ls /proc/${process.pid} 2>&1 | head -1; kill -0 ${process.pid} 2>&1; echo "kill=$?"`);
    expect(out).toContain(`sleep 1000; : ${marker}`);
    expect(out).not.toContain("vitest");
    expect(out).toContain("No such file or directory");
    expect(out).toMatch(/kill=1/);
    await shell.kill("SIGKILL");
  });

  it("starts PID 1 and every process with the allowlisted environment only", async () => {
    const sandbox = sandboxFor({ environment: { ...process.env, GPTME_SERVER_TOKEN: "TOKEN-XYZ", OPENAI_API_KEY: "KEY-XYZ" } });
    const { out } = await text(sandbox, `for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f"; done; env`);
    expect(out).toContain("PATH=");
    expect(out).not.toContain("TOKEN-XYZ");
    expect(out).not.toContain("KEY-XYZ");
  });

  it("ends everything it started when disposed, daemons included", async () => {
    const manager = testSandboxManager("bwrap");
    const sandbox = manager.forConversation("daemons", workspace);
    const marker = `daemon-${randomBytes(4).toString("hex")}`;
    await text(sandbox, `setsid nohup sh -c 'sleep 1000; : ${marker}' >/dev/null 2>&1 & echo started`);
    await expect.poll(() => hostProcessesWith(marker), { timeout: 20_000 }).toHaveLength(1);
    await manager.remove("daemons");
    await expect.poll(() => hostProcessesWith(marker), { timeout: 20_000 }).toEqual([]);
    expect(sandbox.disposed).toBe(true);
    await expect(sandbox.exec(["true"])).rejects.toThrow("The conversation's sandbox was removed");
  });

  it("finishes disposing even when nothing else keeps the process alive (the CLI at exit)", async () => {
    const script = new URL("./support/dispose-alone.ts", import.meta.url).pathname;
    const result = spawnSync(process.execPath, ["--import", "tsx", script, workspace], { encoding: "utf8", timeout: 60_000 });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("disposed\n");
    expect(result.status).toBe(0);
  });

  it("passes on none of the descriptors the server inherited", async () => {
    const script = new URL("./support/descriptors.ts", import.meta.url).pathname;
    const result = spawnSync(process.execPath, ["--import", "tsx", script, workspace], {
      encoding: "utf8",
      timeout: 60_000,
      stdio: ["ignore", "pipe", "pipe", "ignore", "ignore", "ignore", "ignore", "pipe"],
    });
    expect(result.status).toBe(0);
    // stdio, bwrap's namespace descriptors (3, 4: the sandbox's own), and ls's own directory.
    const descriptors = result.stdout.trim().split("\n").map(Number);
    expect(descriptors).not.toContain(7);
    expect(Math.max(...descriptors)).toBeLessThanOrEqual(5);
  });

  it("never runs the server user's shell rc files on the host while starting processes", async () => {
    // Outside /tmp, so the sandbox's HOME has this path (and the host bash that starts bwrap would find it).
    const home = mkdtempSync(join("/var/tmp", "gptme-server-home-"));
    try {
      writeFileSync(join(home, ".bashrc"), `touch ${join(home, "sourced")}\n`);
      const sandbox = sandboxFor({ environment: { ...process.env, HOME: home, SHLVL: "0" } });
      expect((await text(sandbox, "echo ran; echo $HOME")).out).toBe(`ran\n${home}\n`);
      expect(readdirSync(home)).toEqual([".bashrc"]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("keeps its /tmp and HOME between processes while it lives", async () => {
    const sandbox = sandboxFor();
    await text(sandbox, "echo kept > /tmp/state; echo home > ~/state");
    expect((await text(sandbox, "cat /tmp/state ~/state")).out).toBe("kept\nhome\n");
  });

  it("has only loopback with --sandbox-network none", async () => {
    const manager = testSandboxManager("bwrap", { env: { GPTME_SANDBOX_NETWORK: "none" } });
    const sandbox = manager.forConversation("offline", workspace);
    expect(manager.report).toMatchObject({ network: "none", isolates: expect.arrayContaining(["network"]) });
    const { out } = await text(sandbox, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
    expect(out).toBe("lo\n");
  });

  it("is replaced by a new one when its processes were all killed from inside", async () => {
    const manager = testSandboxManager("bwrap");
    const first = manager.forConversation("phoenix", workspace);
    await text(first, "kill -9 -1");
    await expect.poll(async () => (manager.forConversation("phoenix", workspace) !== first ? "replaced" : "same"), { timeout: 20_000 }).toBe("replaced");
    expect((await text(manager.forConversation("phoenix", workspace), "echo fresh")).out).toBe("fresh\n");
  });
});
