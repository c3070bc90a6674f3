/**
 * The shell tool on every local sandbox backend. No test here depends on the machine's speed:
 * commands that must be stopped are stopped by a signal the test controls or by a timeout whose
 * length does not matter, and waits are on files the test creates, never on sleeps.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { OutputArea } from "../../runtime/sandbox/types.js";
import { streamLimitNote } from "../../runtime/tools/output-follower.js";
import { WHOLE_OUTPUT_BYTES } from "../../runtime/tools/shell-output.js";
import { createShellTool, shellTimeoutSeconds } from "../../runtime/tools/shell.js";
import { describeEachLocalBackend, userHelper } from "../support/sandboxes.js";
import { makeContext, type TestContext } from "./tool-context.js";

/** No timeout: a busy machine must not turn a passing command into a timed-out one. */
const shell = createShellTool({ timeoutSeconds: 0, killGraceMilliseconds: 300 });
/** Only for the tests about timeouts, where how long 1 s takes does not change the outcome. */
const timingOut = createShellTool({ timeoutSeconds: 1, killGraceMilliseconds: 300 });
const run = (command: string, context: TestContext) => shell.execute({ command }, context);

/** Reads a file as the sandbox sees it (saved outputs live inside it, not on the host for bwrap). */
async function readInside(context: TestContext, file: string): Promise<string> {
  return (await context.sandbox.files.read(file, 200 * 1024 * 1024)).toString("utf8");
}

/** Counts the bytes the tool reads back from the output area. */
function countingReads(context: TestContext): { context: TestContext; bytesRead: () => number } {
  let total = 0;
  const area = context.sandbox.outputs;
  const counted: OutputArea = Object.create(area);
  counted.read = async (name, offset, length) => {
    const bytes = await area.read(name, offset, length);
    total += bytes.length;
    return bytes;
  };
  const sandbox = Object.create(context.sandbox, { outputs: { value: counted } });
  return { context: { ...context, sandbox }, bytesRead: () => total };
}

describeEachLocalBackend("shell tool", {}, (backend) => {
  const shellContext = () => makeContext(backend);

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

  it("cannot be fooled by output that imitates a control record, on any descriptor", async () => {
    const context = await shellContext();
    // bash keeps its real stdout on a saved descriptor (10 and up) while the command's output is
    // redirected: write fake records everywhere, including there.
    const fake = "printf '\\0%s 0 /\\0' 00000000000000000000000000000000";
    const output = await run(
      `for fd in 1 2 10 11 12 13 255; do eval "${fake} >&$fd" 2>/dev/null; done; echo still running; exit_with() { return 7; }; exit_with`,
      context,
    );
    expect(output).toContain("still running");
    expect(output).toContain("Return code: 7");
    expect(await run("echo next; pwd", context)).toContain(`\`\`\`stdout\nnext\n${context.workspace}\n\`\`\``);
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

  it("times out a hanging command and the next command still works", async () => {
    const context = await shellContext();
    await shell.execute({ command: "cd /tmp" }, context);
    const output = await timingOut.execute({ command: "echo before; sleep 100" }, context);
    expect(output).toMatch(/^Command timed out \(after 1s\): `echo before; sleep 100`/);
    expect(output).toContain("```stdout\nbefore\n```");
    expect(output).toContain("Shell restarted");
    expect(await run("pwd", context)).toContain("```stdout\n/tmp\n```");
  });

  it("kills the whole process group, including background children and ones ignoring TERM", async () => {
    const context = await shellContext();
    const pids = path.join(context.workspace, "pids");
    await timingOut.execute({ command: `sleep 100 & echo $! > ${pids}; (trap '' TERM; sleep 100) & echo $! >> ${pids}; sleep 100` }, context);
    // Checked from inside: with bwrap, the pids are the sandbox's own. A zombie awaiting its reaper counts as gone.
    const check = `for p in $(cat ${pids}); do s=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ] && echo "alive $p"; done; echo checked`;
    expect(await run(`cat ${pids} | wc -l`, context)).toContain("```stdout\n2\n```");
    await expect.poll(() => run(check, context), { timeout: 20_000, interval: 100 }).not.toContain("alive");
  });

  it("stops a command when the signal aborts", async () => {
    const context = await shellContext();
    const output = await shell.execute(
      { command: "echo started; sleep 100" },
      { ...context, onOutput: (chunk) => chunk.includes("started") && context.controller.abort() },
    );
    expect(output).toMatch(/^Command interrupted: `echo started; sleep 100`/);
    expect(output).toContain("started");
    expect(output).toContain("Process interrupted");
  });

  it("does not wait for background jobs that keep running", async () => {
    const context = await shellContext();
    const go = path.join(context.workspace, "go");
    // The job ends only once the command has returned: waiting for it would never return.
    const output = await run(`(while [ ! -e ${go} ]; do sleep 0.05; done) & echo launched`, context);
    expect(output).toContain("launched");
    await writeFile(go, "");
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

  it("streams at most the stream limit of a big output, then a note", async () => {
    const context = await shellContext();
    const limited = createShellTool({ timeoutSeconds: 0, streamLimitBytes: 10_000 });
    const chunks: string[] = [];
    await limited.execute({ command: "head -c 200000 /dev/zero | tr '\\0' 'x'" }, { ...context, onOutput: (chunk) => chunks.push(chunk) });
    const streamed = chunks.join("");
    expect(streamed).toBe("x".repeat(10_000) + streamLimitNote(10_000));
  });

  it("truncates a 1 MB output to head and tail and saves the full output in the sandbox", async () => {
    const context = await shellContext();
    const output = await run("seq 1 200000 | sed 's/.*/line & xx/' | head -c 1000000", context);
    expect(output).toContain("line 1 xx\nline 2 xx");
    const saved = /\.\.\. \(output truncated, full output saved to (\S+\.txt)\) \.\.\./.exec(output)?.[1];
    expect(saved).toBeDefined();
    expect(path.dirname(saved!)).toBe(context.sandbox.outputs.directory);
    expect(path.basename(saved!)).toMatch(/^shell-\d{8}_\d{6}-[0-9a-f]{8}\.txt$/);
    const full = await readInside(context, saved!);
    expect(full.length).toBeGreaterThan(990_000);
    expect(output.length).toBeLessThan(8000 + 32000 + 500);
    expect(output.endsWith(`${full.slice(-100)}\n\`\`\`\n\n`)).toBe(true);
    // The model can read it with its own shell.
    expect(await run(`wc -c < ${saved}`, context)).toContain(`\`\`\`stdout\n${full.length}\n`);
  });

  it("reads only the head and tail of a big output, which stays on disk as the saved file", async () => {
    const { context, bytesRead } = countingReads(await shellContext());
    const size = 3 * WHOLE_OUTPUT_BYTES;
    const output = await run(`seq 1 1000000 | head -c ${size}`, context);
    const saved = /full output saved to (\S+-stdout\.txt)\) \.\.\./.exec(output)?.[1];
    expect(saved).toBeDefined();
    expect(output).toContain("```stdout\n1\n2\n3\n");
    expect(bytesRead()).toBeLessThan(200_000);
    expect((await readInside(context, saved!)).length).toBe(size);
  });

  it("stops a command whose output runs away and cuts its saved output at the cap", async () => {
    const context = await shellContext();
    const capped = createShellTool({ timeoutSeconds: 0, killGraceMilliseconds: 300, maxOutputBytes: 100_000 });
    const output = await capped.execute({ command: 'i=0; while :; do echo "line $((i+=1))"; done' }, context);
    expect(output).toMatch(/^Command interrupted: /);
    expect(output).toContain("```stdout\nline 1\nline 2\n");
    expect(output).toContain("Output limit exceeded: the command was stopped after 98 KB of output; the saved output ends there and the rest was dropped.");
    const saved = /full output saved to (\S+\.txt)/.exec(output)?.[1];
    expect((await readInside(context, saved!)).length).toBeLessThanOrEqual(100_000);
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
    expect(await run("ls -A", context)).toBe("Ran command: `ls -A`\n\nNo output\n");
  });

  it("runs the commands as the backend's user: the test's own, or the tools user under user", async () => {
    const context = await shellContext();
    const expected = backend === "user" ? userHelper().uid : process.getuid?.();
    expect(await run("id -u", context)).toContain(`\`\`\`stdout\n${expected}\n\`\`\``);
  });

  // The test helper's tools user is nobody, whose HOME (/nonexistent) cannot hold an rc file.
  it.skipIf(backend === "user")("reads no rc file, as gptme's shell", async () => {
    const context = await shellContext();
    expect(await run(`echo 'export FROM_RC=yes' > ~/.bashrc && echo 'export FROM_RC=yes' > ~/.bash_profile && echo written`, context)).toContain("written");
    expect(await run('echo "rc:${FROM_RC:-no}"; exit 0', context)).toContain("Shell restarted");
    expect(await run('echo "rc:${FROM_RC:-no}"; rm ~/.bashrc ~/.bash_profile', context)).toContain("rc:no");
  });

  it("sets gptme's pager and editor variables", async () => {
    const context = await shellContext();
    expect(await run('echo "[$PAGER] $GIT_PAGER $EDITOR"', context)).toContain("```stdout\n[] cat true\n```");
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
