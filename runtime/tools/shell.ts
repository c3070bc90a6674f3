/** `shell`: runs commands in the conversation's persistent bash and reports them as gptme does. */
import { z } from "zod";
import { defineTool } from "./define-tool.js";
import { installedPrograms, NOTABLE_PROGRAMS, programLookup, type ProgramLookup } from "./executables.js";
import { fence, stripAnsi } from "./formatting.js";
import { formatShellOutput, type ShellOutputBudgets } from "./shell-output.js";
import { DEFAULT_MAX_OUTPUT_BYTES } from "./shell-session.js";
import { runInShell } from "./shell-sessions.js";

export interface ShellToolOptions {
  /** Overrides `GPTME_SHELL_TIMEOUT` (seconds; 0 = no timeout). */
  timeoutSeconds?: number;
  killGraceMilliseconds?: number;
  /** Per stream; beyond it the command is stopped and its saved output cut (default 100 MB). */
  maxOutputBytes?: number;
  /** Live `tool_output` events stop after this many bytes per stream (default 1 MB). */
  streamLimitBytes?: number;
  budgets?: ShellOutputBudgets;
}

const DEFAULT_TIMEOUT_SECONDS = 1200;

/** gptme's `_get_timeout`: `GPTME_SHELL_TIMEOUT` seconds, `0` (or less) disables, junk means the default. */
export function shellTimeoutSeconds(override?: number): number {
  if (override !== undefined) return Math.max(0, override);
  const raw = process.env.GPTME_SHELL_TIMEOUT;
  if (raw === undefined || raw.trim() === "") return DEFAULT_TIMEOUT_SECONDS;
  const value = Number(raw);
  if (Number.isNaN(value)) return DEFAULT_TIMEOUT_SECONDS;
  return Math.max(0, value);
}

const parameters = z.object({
  command: z.string().trim().min(1, "No command provided").describe("The shell command with arguments to execute."),
});

const cachedInstructions = new WeakMap<ProgramLookup, string>();

/** Lists the notable programs the tools can run, once per program view (see executables.ts). */
function instructions(): string {
  const lookup = programLookup();
  let text = cachedInstructions.get(lookup);
  if (text === undefined) cachedInstructions.set(lookup, (text = instructionsText()));
  return text;
}

function instructionsText(): string {
  const programs = installedPrograms(NOTABLE_PROGRAMS).map((name) => `- ${name}`).join("\n");
  return `The given command will be executed in a stateful bash shell.
The shell tool will respond with the output of the execution.
Commands run with stdin from /dev/null: interactive programs cannot prompt, so pass flags such as \`--yes\`, or use the tmux tool.

These programs are available, among others:
${programs}

### When to use the shell

Use the shell when you need to inspect the workspace, search or examine files,
check git state, or run existing commands and tests. Prefer the shell over
answering from memory when the repo can tell you the answer directly.

For long-running commands (dev servers, watchers), use the tmux tool so they don't block.`;
}

export function createShellTool(options: ShellToolOptions = {}) {
  return defineTool({
    name: "shell",
    description: "Executes shell commands.",
    // Read when a prompt is built, not when the tool is made: the server lists its tools at start,
    // and looking the programs up on PATH then was ~7 ms of its start-up.
    get instructions() {
      return instructions();
    },
    examples: [
      { role: "user", content: "list the current directory" },
      {
        role: "assistant",
        content: "To list the files in the current directory, use `ls`:",
        toolUse: { args: [], content: "ls" },
      },
      { role: "system", content: `Ran command: \`ls\`\n\n${fence("stdout", "file1.txt\nfile2.txt")}` },
      { role: "user", content: "learn about the project" },
      { role: "assistant", content: "Lets start by checking the files", toolUse: { args: [], content: "git ls-files" } },
      { role: "system", content: fence("stdout", "README.md\nmain.py") },
      { role: "assistant", content: "Now lets check the README", toolUse: { args: [], content: "cat README.md" } },
      { role: "system", content: fence("stdout", "(contents of README.md)") },
      { role: "assistant", content: "The project is..." },
    ],
    blockTypes: ["shell"],
    parameters,
    isAvailable: () => true,
    fromBlock: (_args, content) => ({ command: content.trim().replace(/^\$ /, "") }),
    toBlock: ({ command }) => ({ args: [], content: command }),
    async execute({ command }, context) {
      const timeoutSeconds = shellTimeoutSeconds(options.timeoutSeconds);
      const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
      const result = await runInShell(context.sandbox, command, {
        timeoutMilliseconds: timeoutSeconds * 1000,
        signal: context.signal,
        onOutput: context.onOutput ? (chunk) => context.onOutput?.(stripAnsi(chunk)) : undefined,
        streamLimitBytes: options.streamLimitBytes,
        killGraceMilliseconds: options.killGraceMilliseconds,
        maxOutputBytes,
      });
      return formatShellOutput({
        command,
        result,
        area: context.sandbox.outputs,
        timeoutSeconds,
        maxOutputBytes,
        budgets: options.budgets,
      });
    },
  });
}
