/** The system message gptme writes after a shell command (`_format_shell_output`). */
import type { OutputArea } from "../sandbox/types.js";
import { fence, stripAnsi, trimBlankLines } from "./formatting.js";
import { CHARACTERS_PER_TOKEN, truncateWithSavedOutput, truncationMarker, type HeadTailBudget } from "./output-storage.js";
import type { ShellOutputFile, ShellRunResult } from "./shell-session.js";

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

/**
 * Outputs up to this size are read whole and shaped exactly as gptme does. Bigger ones stay on
 * disk: only the bytes the model will see (the head and tail budgets) are read, so a gigabyte of
 * output costs the server no more memory than a megabyte; the file itself is the saved full output.
 */
export const WHOLE_OUTPUT_BYTES = 1024 * 1024;

/** At most four UTF-8 bytes per character. */
const BYTES_PER_CHARACTER = 4;

function decodeHead(bytes: Buffer): string {
  return bytes.toString("utf8").replace(/\uFFFD+$/, "");
}

/** Skips the continuation bytes of a character the cut went through. */
function decodeTail(bytes: Buffer): string {
  let start = 0;
  while (start < bytes.length && start < 3 && (bytes[start]! & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString("utf8");
}

/** The text the model sees of one stream; the command's file is removed unless it is the saved output. */
async function shownOutput(area: OutputArea, file: ShellOutputFile, budget: HeadTailBudget): Promise<string> {
  if (file.size <= WHOLE_OUTPUT_BYTES) {
    try {
      const text = (await area.read(file.name, 0, file.size)).toString("utf8");
      return await truncateWithSavedOutput(trimBlankLines(stripAnsi(text)), budget, area, "shell");
    } finally {
      await area.remove(file.name);
    }
  }
  const headBytes = budget.headCharacters * BYTES_PER_CHARACTER;
  const tailBytes = Math.min(file.size, budget.tailCharacters * BYTES_PER_CHARACTER);
  const head = trimBlankLines(stripAnsi(decodeHead(await area.read(file.name, 0, headBytes)))).slice(0, budget.headCharacters);
  const tail = budget.tailCharacters > 0 ? trimBlankLines(stripAnsi(decodeTail(await area.read(file.name, file.size - tailBytes, tailBytes)))).slice(-budget.tailCharacters) : "";
  return [head, truncationMarker(area.path(file.name)), tail].join("\n");
}

export interface ShellOutputInput {
  command: string;
  result: ShellRunResult;
  /** Where the command's output files are (the sandbox's). */
  area: OutputArea;
  timeoutSeconds?: number;
  /** The cap that stopped a runaway command, for the note. */
  maxOutputBytes?: number;
  budgets?: ShellOutputBudgets;
}

function megabytes(bytes: number): string {
  const value = bytes / (1024 * 1024);
  return value >= 1 ? `${Math.round(value)} MB` : `${Math.round(bytes / 1024)} KB`;
}

export async function formatShellOutput(input: ShellOutputInput): Promise<string> {
  const { result } = input;
  const budgets = input.budgets ?? shellOutputBudgets();
  const stdout = await shownOutput(input.area, result.stdout, budgets.stdout);
  const stderr = await shownOutput(input.area, result.stderr, budgets.stderr);

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
  if (result.outputLimitExceeded) {
    const limit = input.maxOutputBytes ? ` after ${megabytes(input.maxOutputBytes)} of output` : "";
    message += `Output limit exceeded: the command was stopped${limit}; the saved output ends there and the rest was dropped.\n`;
  }
  if (result.interrupted) message += "Process interrupted\n";
  else if (result.exitCode) message += `Return code: ${result.exitCode}\n`;
  if (result.shellEnded) message += `${SHELL_RESTARTED_NOTE}\n`;
  return message;
}
