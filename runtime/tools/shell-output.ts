/** The system message gptme writes after a shell command (`_format_shell_output`). */
import { fence, stripAnsi, trimBlankLines } from "./formatting.js";
import { CHARACTERS_PER_TOKEN, truncateWithSavedOutput, type HeadTailBudget } from "./output-storage.js";
import type { ShellRunResult } from "./shell-session.js";

export interface ShellOutputBudgets {
  stdout: HeadTailBudget;
  stderr: HeadTailBudget;
}

function tokensFromEnvironment(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** gptme's budgets: stdout first 2000 + last 8000 tokens, stderr 2000 + 2000, overridable by env. */
export function shellOutputBudgets(): ShellOutputBudgets {
  const characters = (name: string, fallback: number) => tokensFromEnvironment(name, fallback) * CHARACTERS_PER_TOKEN;
  return {
    stdout: {
      headCharacters: characters("GPTME_SHELL_TRUNC_PRE_TOKENS", 2000),
      tailCharacters: characters("GPTME_SHELL_TRUNC_POST_TOKENS", 8000),
    },
    stderr: {
      headCharacters: characters("GPTME_SHELL_TRUNC_STDERR_PRE_TOKENS", 2000),
      tailCharacters: characters("GPTME_SHELL_TRUNC_STDERR_POST_TOKENS", 2000),
    },
  };
}

/** Long or many-line commands are shown shortened: the full command is already in the assistant's message. */
export function commandDisplay(command: string): string {
  const newlines = command.split("\n").length - 1;
  if (command.length <= 100 && newlines <= 2) return command;
  const lineCount = newlines + 1;
  return `${command.split("\n")[0].slice(0, 80)}... (${lineCount} ${lineCount === 1 ? "line" : "lines"})`;
}

/** gptme's `_format_block_smart` for the header: inline when one line, else a fenced block. */
function header(title: string, command: string): string {
  return command.includes("\n") ? `${title}:\n${fence("bash", command)}` : `${title}: \`${command}\``;
}

export const SHELL_RESTARTED_NOTE =
  "Shell restarted: the working directory is kept; variables, functions and background jobs from earlier commands are gone.";

export interface ShellOutputInput {
  command: string;
  result: ShellRunResult;
  timeoutSeconds?: number;
  dataDirectory: string;
  budgets?: ShellOutputBudgets;
}

export async function formatShellOutput(input: ShellOutputInput): Promise<string> {
  const { result } = input;
  const budgets = input.budgets ?? shellOutputBudgets();
  const stdout = await truncateWithSavedOutput(
    trimBlankLines(stripAnsi(result.stdout)),
    budgets.stdout,
    input.dataDirectory,
    "shell",
  );
  const stderr = await truncateWithSavedOutput(
    trimBlankLines(stripAnsi(result.stderr)),
    budgets.stderr,
    input.dataDirectory,
    "shell",
  );

  let title = "Ran command";
  if (result.timedOut) title = input.timeoutSeconds ? `Command timed out (after ${input.timeoutSeconds}s)` : "Command timed out";
  else if (result.interrupted || result.outputLimitExceeded) title = "Command interrupted";

  let message = `${header(title, commandDisplay(input.command))}\n\n`;
  if (stdout) message += `${fence("stdout", stdout)}\n\n`;
  if (stderr) message += `${fence("stderr", stderr)}\n\n`;
  if (!stdout && !stderr) {
    if (result.timedOut) message += "No output before timeout\n";
    else if (result.interrupted) message += "No output before interruption\n";
    else message += "No output\n";
  }
  if (result.outputLimitExceeded) message += "Output limit exceeded: the command was stopped and the rest of its output dropped.\n";
  if (result.interrupted) message += "Process interrupted\n";
  else if (result.exitCode) message += `Return code: ${result.exitCode}\n`;
  if (result.shellEnded) message += `${SHELL_RESTARTED_NOTE}\n`;
  return message;
}
