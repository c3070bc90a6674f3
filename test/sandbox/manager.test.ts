/** Backend choice (and its loud fallback), the report, and a sandbox's life: workspace changes, idle removal. */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sandboxLines } from "../../adapters/node/banner.js";
import { probeBwrap } from "../../runtime/sandbox/probe.js";
import { resolveSandboxSettings } from "../../runtime/sandbox/settings.js";
import { createTestServer } from "../support/test-runtime.js";
import { LOCAL_BACKENDS, testSandboxManager, USER_BACKEND_SKIP, userHelper } from "../support/sandboxes.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("choosing the backend", () => {
  it("falls back loudly, with the line that fixes it, when bwrap cannot work", () => {
    const manager = testSandboxManager("none", {
      settings: resolveSandboxSettings({ env: {}, configPath: null, defaultBackend: "bwrap" }),
      bwrap: "/nonexistent/bwrap",
    });
    expect(manager.report).toMatchObject({ backend: "none", isolated: false, isolates: [], limits: { available: false } });
    expect(manager.report.warning).toBe(
      "the bwrap sandbox cannot work here (bubblewrap is not installed), so tools are NOT isolated: they run as the server's user and can read its token, the provider keys, the store and every conversation's files. Fix: sudo apt-get install bubblewrap (Debian, Ubuntu) or sudo dnf install bubblewrap (Fedora).",
    );
    expect(probeBwrap("/nonexistent/bwrap")).toMatchObject({ ok: false, reason: "bubblewrap is not installed" });
  });

  it("warns when tools are unsandboxed by choice, not when it is the terminal's default", () => {
    const chosen = testSandboxManager("none");
    expect(chosen.report.warning).toMatch(/^tools are NOT isolated: .* \(--sandbox none\)\.$/);
    const byDefault = testSandboxManager("none", { settings: resolveSandboxSettings({ env: {}, configPath: null, defaultBackend: "none" }) });
    expect(byDefault.report.warning).toBeNull();
  });

  it.runIf(LOCAL_BACKENDS.includes("bwrap"))("uses bwrap when the user backend's helper is missing, and says so", () => {
    const manager = testSandboxManager("bwrap", {
      settings: resolveSandboxSettings({ env: { GPTME_SANDBOX: "user" }, configPath: null, defaultBackend: "bwrap" }),
      environment: { ...process.env, GPTME_SANDBOX_USER_HELPER: "/nonexistent/run-as-appuser" },
    });
    expect(manager.report).toMatchObject({
      backend: "bwrap",
      isolated: true,
      warning: "the user backend cannot work here (/nonexistent/run-as-appuser is not installed); using bwrap instead.",
    });
  });

  it.runIf(!USER_BACKEND_SKIP)("uses the user backend when bwrap cannot work and the helper is installed, and says what it does not isolate", () => {
    const manager = testSandboxManager("user", {
      settings: resolveSandboxSettings({ env: {}, configPath: null, defaultBackend: "bwrap" }),
      environment: { ...process.env, GPTME_SANDBOX_USER_HELPER: userHelper().path },
      bwrap: "/nonexistent/bwrap",
    });
    expect(manager.report).toMatchObject({ backend: "user", isolated: true, limits: { available: true } });
    expect(manager.report.warning).toMatch(/^bwrap cannot work here \(bubblewrap is not installed; fix: .*\), so the user backend runs the tools instead; the user backend protects the server .* but not conversations from each other/);
  });

  it.runIf(LOCAL_BACKENDS.includes("bwrap"))("uses bwrap when no container engine answers, with the line that fixes it", () => {
    const socket = join(tmpdir(), `gptme-no-engine-${process.pid}.sock`);
    const manager = testSandboxManager("bwrap", {
      settings: resolveSandboxSettings({ env: { GPTME_SANDBOX: "container" }, configPath: null, defaultBackend: "bwrap" }),
      environment: { ...process.env, DOCKER_HOST: `unix://${socket}` },
    });
    expect(manager.report.backend).toBe("bwrap");
    expect(manager.report.warning).toMatch(/^the container backend cannot work here \(.*ENOENT.* at unix:\/\/.*gptme-no-engine.*; fix: start the engine .*\); using bwrap instead\.$/);
  });

  it("shows the backend, what it isolates and the limits in the banner", () => {
    expect(
      sandboxLines({
        backend: "bwrap",
        isolated: true,
        isolates: ["filesystem", "processes"],
        limits: { available: false, detail: "no writable cgroup" },
        network: "on",
        warning: null,
      }),
    ).toEqual(["  Sandbox:  bwrap (isolates filesystem, processes; network on)", "  Limits:   none - no writable cgroup"]);
  });
});

describe("GET /api/v2", () => {
  it("reports the sandbox in the shape the web UI reads", async () => {
    const server = createTestServer({ sandbox: { backend: "none" } });
    try {
      const body = (await (await server.call("/api/v2")).json()) as { sandbox: unknown };
      expect(body.sandbox).toEqual({
        backend: "none",
        isolated: false,
        isolates: [],
        limits: { available: false, detail: "the none backend sets no limits" },
        network: "on",
        warning: expect.stringMatching(/^tools are NOT isolated/),
      });
    } finally {
      await server.close();
    }
  });

  it("answers a bad --sandbox with a clear error instead of starting", () => {
    expect(() => createTestServer({ sandbox: { backend: "chroot" } })).toThrow("Unknown sandbox backend in --sandbox: chroot (expected bwrap, container, user, none)");
  });
});

describe("the sandboxes' directories", () => {
  it("are removed at start when the server that made them is gone, and only then", () => {
    const parent = mkdtempSync(join(tmpdir(), "gptme-stale-"));
    try {
      const gone = spawnSync("true").pid!;
      mkdirSync(join(parent, `gptme-sandboxes-${gone}-abc`, "c-1", "tmp"), { recursive: true });
      mkdirSync(join(parent, "gptme-sandboxes-1-def"));
      mkdirSync(join(parent, "unrelated-1234-x"));
      const manager = testSandboxManager("none", { directory: parent });
      const left = readdirSync(parent).sort();
      expect(left).toContain("gptme-sandboxes-1-def");
      expect(left).toContain("unrelated-1234-x");
      expect(left).not.toContain(`gptme-sandboxes-${gone}-abc`);
      expect(left.filter((name) => name.startsWith(`gptme-sandboxes-${process.pid}-`))).toHaveLength(1);
      void manager;
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe("a conversation's sandbox", () => {
  it("is the same while the workspace is, and a new one when it changes", () => {
    const manager = testSandboxManager("none");
    const first = manager.forConversation("c", "/tmp");
    expect(manager.forConversation("c", "/tmp")).toBe(first);
    const moved = manager.forConversation("c", "/");
    expect(moved).not.toBe(first);
    expect(first.disposed).toBe(true);
  });

  it("is removed after the idle limit, unless a tool holds it", async () => {
    vi.useFakeTimers();
    const manager = testSandboxManager("none", { idleLimitMs: 60_000 });
    const idle = manager.forConversation("idle", "/tmp");
    const busy = manager.forConversation("busy", "/tmp");
    const release = busy.hold();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(idle.disposed).toBe(false);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(idle.disposed).toBe(true);
    expect(busy.disposed).toBe(false);
    release();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(busy.disposed).toBe(true);
  });
});
