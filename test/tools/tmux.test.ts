import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { findExecutable } from "../../runtime/tools/executables.js";
import { TmuxClient } from "../../runtime/tools/tmux-client.js";
import { shellWords, splitTmuxCommands } from "../../runtime/tools/tmux-commands.js";
import { createTmuxTool } from "../../runtime/tools/tmux.js";
import type { Sandbox } from "../../runtime/sandbox/types.js";
import { describeEachLocalBackend } from "../support/sandboxes.js";
import { makeContext as makeContextOn, sandboxManager } from "./tool-context.js";

/**
 * A named tmux server: with `none` it lives beside the user's (never touching their sessions) and is
 * killed afterwards; with `bwrap` and `user` each conversation's server lives in its sandbox (its
 * private /tmp, its own socket folder) and ends with it.
 */
const socketName = `gptme-test-${randomUUID().slice(0, 8)}`;
const tmux = createTmuxTool({ socketName, settleMilliseconds: 200, pollMilliseconds: 100 });
let lastSandbox: Sandbox | undefined;
const client = () => new TmuxClient(lastSandbox!, socketName);

afterAll(async () => {
  if (!findExecutable("tmux")) return;
  await new TmuxClient(sandboxManager("none").forConversation("tmux-cleanup", "/"), socketName).killServer();
});

/** Processes on the host (every namespace and user) whose command line is `command`. */
function processesRunning(command: string): number {
  let count = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim() === command) count++;
    } catch {
      // Gone meanwhile.
    }
  }
  return count;
}

describe("tmux command parsing", () => {
  it("splits at newlines and semicolons outside quotes", () => {
    expect(splitTmuxCommands("new-session echo 'a;b'; list-sessions\nkill-session 1")).toEqual([
      "new-session echo 'a;b'",
      "list-sessions",
      "kill-session 1",
    ]);
  });

  it("splits keys like shlex", () => {
    expect(shellWords(`'print("Hello, world!")' Enter`)).toEqual(['print("Hello, world!")', "Enter"]);
    expect(shellWords(`"a \\"b\\"" c\\ d`)).toEqual(['a "b"', "c d"]);
    expect(() => shellWords("'open")).toThrow();
  });
});

describeEachLocalBackend("tmux tool", { timeout: 60_000, skip: findExecutable("tmux") ? undefined : "tmux is not installed" }, (backend) => {
  const makeContext = async () => {
    const context = await makeContextOn(backend);
    lastSandbox = context.sandbox;
    return context;
  };

  it("runs a server in a session, inspects, interrupts, waits, lists and kills it", async () => {
    const context = await makeContext();
    const run = (command: string) => tmux.execute({ command }, context);

    expect(await run("list-sessions")).toBe("Active tmux sessions: []");

    const started = await run("new-session python3 -m http.server 0 --bind 127.0.0.1");
    expect(started).toMatch(/^Running `python3 -m http\.server 0 --bind 127\.0\.0\.1` in session gptme_1\.\n```output\n/);

    await expect.poll(() => client().capturePane("gptme_1"), { timeout: 20_000, interval: 100 }).toContain("Serving HTTP");
    const inspected = await run("inspect-pane gptme_1");
    expect(inspected).toMatch(/^Pane content:\n```output\n[\s\S]*Serving HTTP on 127\.0\.0\.1 port \d+/);
    expect(inspected).toContain(`${context.workspace.split("/").pop()}`);

    expect(await run("list-sessions")).toBe("Active tmux sessions: ['gptme_1']");

    const interrupted = await run("send-keys 1 C-c");
    expect(interrupted).toMatch(/^Sent 'C-c' to pane `gptme_1`\n```output\n/);
    await expect.poll(() => client().capturePane("gptme_1"), { timeout: 20_000, interval: 100 }).toContain("Keyboard interrupt received");

    const waited = await run("wait gptme_1 10 1");
    expect(waited).toMatch(/^Session `gptme_1` output stabilized after \d+\.\ds \(stable for 1\.\ds\)\.\n```output\n/);

    expect(await run("kill-session gptme_1")).toBe("Killed tmux session with ID gptme_1");
    expect(await run("list-sessions")).toBe("Active tmux sessions: []");
  });

  it("numbers sessions after the highest gptme_N and runs several commands in one block", async () => {
    const context = await makeContext();
    const output = await tmux.execute({ command: "new-session echo one\nnew-session echo two\nlist-sessions" }, context);
    expect(output).toContain("in session gptme_1.");
    expect(output).toContain("in session gptme_2.");
    expect(output).toContain("Active tmux sessions: ['gptme_1', 'gptme_2']");
    await tmux.execute({ command: "kill-session 1; kill-session 2" }, context);
  });

  it("reports a wait that times out while output keeps changing", async () => {
    const context = await makeContext();
    await tmux.execute({ command: "new-session while true; do date +%s%N; sleep 0.1; done" }, context);
    const output = await tmux.execute({ command: "wait gptme_1 1 3" }, context);
    expect(output).toMatch(/^Session `gptme_1` timed out after 1s \(output still changing\)\./);
    expect(output).toContain("Session still active. Use `kill-session gptme_1` to terminate or `send-keys gptme_1 C-c` to interrupt.");
    await tmux.execute({ command: "kill-session gptme_1" }, context);
  });

  it("truncates panes over 200 lines to the first 50 and last 150", async () => {
    const context = await makeContext();
    await tmux.execute({ command: "new-session seq 1 400" }, context);
    await expect.poll(() => client().capturePane("gptme_1"), { timeout: 20_000, interval: 100 }).toMatch(/\n400\n/);
    const output = await tmux.execute({ command: "inspect-pane gptme_1" }, context);
    expect(output).toMatch(/\.\.\. \(\d+ lines truncated, full output saved to \S+\) \.\.\./);
    expect(output).toContain("\n400\n");
    expect(output.split("\n").length).toBeLessThan(210);
    await tmux.execute({ command: "kill-session gptme_1" }, context);
  });

  // With none the tmux server is the user's own, as in gptme: it outlives the conversation.
  it.skipIf(backend === "none")("shows a conversation only its own tmux sessions, and ends them with its sandbox", async () => {
    const context = await makeContext();
    const marker = `${900_000 + Math.floor(Math.random() * 99_999)}`;
    expect(await tmux.execute({ command: `new-session sleep ${marker}` }, context)).toContain("in session gptme_1.");
    const running = () => processesRunning(`sleep ${marker}`);
    await expect.poll(running, { timeout: 20_000, interval: 100 }).toBe(1);
    expect(await tmux.execute({ command: "list-sessions" }, await makeContext())).toBe("Active tmux sessions: []");
    await sandboxManager(backend).remove(context.conversationId);
    await expect.poll(running, { timeout: 20_000, interval: 100 }).toBe(0);
  });

  it("answers mistakes with gptme's messages", async () => {
    const context = await makeContext();
    const run = (command: string) => tmux.execute({ command }, context);
    expect(await run("frobnicate x")).toBe("Error: Unknown command: frobnicate");
    expect(await run("inspect-pane")).toBe("Error: Missing arguments for command: inspect-pane");
    expect(await run("send-keys 1")).toBe("Error: send-keys requires both pane_id and keys arguments");
    expect(await run("wait 1 soon")).toBe("Error: wait timeout and stable time must be integers");
    expect(await run("kill-session 99")).toMatch(/^Failed to kill tmux session with ID gptme_99: /);
  });
});
