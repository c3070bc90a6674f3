import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createShellTool, shellTimeoutSeconds } from "../../runtime/tools/shell.js";
import { closeAllShells, closeShell } from "../../runtime/tools/shell-sessions.js";
import { makeContext, onCleanup } from "./tool-context.js";

const shell = createShellTool({ timeoutSeconds: 1, killGraceMilliseconds: 300 });
const run = (command: string, context: Parameters<typeof shell.execute>[1]) => shell.execute({ command }, context);

async function shellContext() {
  const context = await makeContext();
  onCleanup(() => closeShell(context.conversationId));
  return context;
}

afterAll(() => closeAllShells());

/** Killed orphans may linger as zombies where PID 1 does not reap (as in some containers). */
async function isGoneOrZombie(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  return stat === undefined || /^\d+ \(.*\) Z /.test(stat);
}

describe("shell tool", () => {
  it("reports stdout in gptme's format", async () => {
    const context = await shellContext();
    expect(await run("echo hi", context)).toBe("Ran command: `echo hi`\n\n```stdout\nhi\n```\n\n");
  });

  it("keeps cwd and exported variables between commands, starting in the workspace", async () => {
    const context = await shellContext();
    expect(await run("pwd", context)).toContain(context.workspace);
    await run("mkdir sub && cd sub && export GREETING=hello", context);
    const output = await run('pwd; echo "$GREETING"', context);
    expect(output).toContain(`${path.join(context.workspace, "sub")}\nhello`);
  });

  it("keeps conversations apart", async () => {
    const first = await shellContext();
    const second = await shellContext();
    await run("export ONLY_FIRST=1", first);
    expect(await run('echo "value:${ONLY_FIRST:-unset}"', second)).toContain("value:unset");
  });

  it("tells stdout, stderr and the return code apart", async () => {
    const context = await shellContext();
    const output = await run("echo out; echo err >&2; exit_code() { return 3; }; exit_code", context);
    expect(output).toBe("Ran command: `echo out; echo err >&2; exit_code() { return 3; }; exit_code`\n\n```stdout\nout\n```\n\n```stderr\nerr\n```\n\nReturn code: 3\n");
  });

  it("says No output when there is none", async () => {
    const context = await shellContext();
    expect(await run("true", context)).toBe("Ran command: `true`\n\nNo output\n");
  });

  it("cannot be fooled by output that imitates the control channel", async () => {
    const context = await shellContext();
    const output = await run(
      "printf 'done 1 0 /\\0done 2 0 /\\0'; printf 'done 1 0 /\\0' >&3; echo ReturnCode:0 END_OF_COMMAND_OUTPUT; echo still running; exit_with() { return 7; }; exit_with",
      context,
    );
    expect(output).toContain("still running");
    expect(output).toContain("Return code: 7");
    expect(output).toContain("Bad file descriptor");
    expect(await run("echo next", context)).toContain("```stdout\nnext\n```");
  });

  it("keeps working when a command shadows the builtins the driver uses", async () => {
    const context = await shellContext();
    await run("read() { :; }; eval() { :; }; printf() { :; }; unset() { :; }", context);
    expect(await run("echo fine", context)).toContain("```stdout\nfine\n```");
  });

  it("gives commands an empty stdin so cat and read do not hang", async () => {
    const context = await shellContext();
    const output = await run('cat; read line; echo "read returned $?"', context);
    expect(output).toContain("read returned 1");
  });

  it("strips ANSI escape sequences", async () => {
    const context = await shellContext();
    const output = await run("printf '\\033[31mred\\033[0m \\033]0;title\\007plain\\n'", context);
    expect(output).toContain("```stdout\nred plain\n```");
    expect(output).not.toContain("\u001b");
  });

  it("shows multi-line commands in a bash block and shortens long ones", async () => {
    const context = await shellContext();
    expect(await run("echo a\necho b", context)).toMatch(/^Ran command:\n```bash\necho a\necho b\n```\n\n/);
    const long = `echo ${"x".repeat(120)}`;
    expect(await run(long, context)).toMatch(new RegExp(`^Ran command: \`echo x{75}\\.\\.\\. \\(1 line\\)\``));
    expect(await run("echo 1\necho 2\necho 3\necho 4", context)).toMatch(/^Ran command: `echo 1\.\.\. \(4 lines\)`/);
  });

  it("times out a hanging command quickly and the next command still works", async () => {
    const context = await shellContext();
    await run("cd /tmp", context);
    const started = performance.now();
    const output = await run("echo before; sleep 100", context);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(3000);
    expect(output).toMatch(/^Command timed out \(after 1s\): `echo before; sleep 100`/);
    expect(output).toContain("```stdout\nbefore\n```");
    expect(output).toContain("Shell restarted");
    expect(await run("pwd", context)).toContain("```stdout\n/tmp\n```");
  });

  it("kills the whole process group, including background children and ones ignoring TERM", async () => {
    const context = await shellContext();
    const pids = path.join(context.workspace, "pids");
    await run(`sleep 100 & echo $! > ${pids}; (trap '' TERM; sleep 100) & echo $! >> ${pids}; sleep 100`, context);
    const children = (await readFile(pids, "utf8")).trim().split("\n").map(Number);
    expect(children).toHaveLength(2);
    for (const pid of children) await expect.poll(() => isGoneOrZombie(pid), { timeout: 2000 }).toBe(true);
  });

  it("stops a command when the signal aborts", async () => {
    const context = await shellContext();
    const pending = run("echo started; sleep 100", { ...context, onOutput: (chunk) => chunk.includes("started") && context.controller.abort() });
    const output = await pending;
    expect(output).toMatch(/^Command interrupted: `echo started; sleep 100`/);
    expect(output).toContain("started");
    expect(output).toContain("Process interrupted");
  });

  it("does not wait for background jobs that keep running", async () => {
    const context = await shellContext();
    const started = performance.now();
    const output = await run("sleep 30 & echo launched", context);
    expect(performance.now() - started).toBeLessThan(900);
    expect(output).toContain("launched");
  });

  it("streams partial output while the command runs", async () => {
    const context = await shellContext();
    const chunks: string[] = [];
    const go = path.join(context.workspace, "go");
    const output = await shell.execute(
      { command: `echo first; while [ ! -e ${go} ]; do sleep 0.05; done; echo second` },
      {
        ...context,
        onOutput: (chunk) => {
          chunks.push(chunk);
          if (chunk.includes("first")) void writeFile(go, "");
        },
      },
    );
    expect(chunks.join("")).toBe("first\nsecond\n");
    expect(output).toContain("first\nsecond");
  });

  it("truncates a 1 MB output to head and tail and saves the full output", async () => {
    const context = await shellContext();
    const output = await run("for i in $(seq 1 100000); do echo \"line $i xx\"; done | head -c 1000000", context);
    expect(output).toContain("line 1 xx\nline 2 xx");
    expect(output).toMatch(/\.\.\. \(output truncated, full output saved to (\S+\.txt)\) \.\.\./);
    const saved = /full output saved to (\S+\.txt)/.exec(output)![1];
    expect(path.dirname(saved)).toBe(path.join(context.dataDirectory, "tool-outputs", "shell"));
    expect(path.basename(saved)).toMatch(/^\d{8}_\d{6}-[0-9a-f]{8}\.txt$/);
    const full = await readFile(saved, "utf8");
    expect(full.length).toBeGreaterThan(990_000);
    expect(output.length).toBeLessThan(8000 + 32000 + 500);
    expect(output.endsWith(`${full.slice(-100)}\n\`\`\`\n\n`)).toBe(true);
  });

  it("stops a command whose output runs away", async () => {
    const context = await shellContext();
    const capped = createShellTool({ timeoutSeconds: 20, killGraceMilliseconds: 300, maxOutputBytes: 100_000 });
    const output = await capped.execute({ command: 'i=0; while :; do echo "line $((i+=1))"; done' }, context);
    expect(output).toMatch(/^Command interrupted: /);
    expect(output).toContain("```stdout\nline 1\nline 2\n");
    expect(output).toContain("Output limit exceeded: the command was stopped and the rest of its output dropped.");
  });

  it("restarts after the command exits the shell", async () => {
    const context = await shellContext();
    await run("cd /tmp && export LOST=1", context);
    const output = await run("exit 4", context);
    expect(output).toContain("Return code: 4");
    expect(output).toContain("Shell restarted");
    expect(await run('pwd; echo "lost:${LOST:-yes}"', context)).toContain("/tmp\nlost:yes");
  });

  it("runs commands of one conversation one at a time", async () => {
    const context = await shellContext();
    const outputs = await Promise.all([run("X=1; sleep 0.2; echo first $X", context), run("echo second $X", context)]);
    expect(outputs[0]).toContain("first 1");
    expect(outputs[1]).toContain("second 1");
  });

  it("leaves no helper files in the workspace", async () => {
    const context = await shellContext();
    await run("echo hi", context);
    expect(await readdir(context.workspace)).toEqual([]);
  });
});

describe("GPTME_SHELL_TIMEOUT", () => {
  it("defaults to 1200 s, 0 disables, junk falls back to the default, an option wins", () => {
    const previous = process.env.GPTME_SHELL_TIMEOUT;
    try {
      delete process.env.GPTME_SHELL_TIMEOUT;
      expect(shellTimeoutSeconds()).toBe(1200);
      process.env.GPTME_SHELL_TIMEOUT = "0";
      expect(shellTimeoutSeconds()).toBe(0);
      process.env.GPTME_SHELL_TIMEOUT = "2.5";
      expect(shellTimeoutSeconds()).toBe(2.5);
      process.env.GPTME_SHELL_TIMEOUT = "soon";
      expect(shellTimeoutSeconds()).toBe(1200);
      expect(shellTimeoutSeconds(3)).toBe(3);
    } finally {
      if (previous === undefined) delete process.env.GPTME_SHELL_TIMEOUT;
      else process.env.GPTME_SHELL_TIMEOUT = previous;
    }
  });
});
