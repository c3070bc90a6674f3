/**
 * `gptme [PROMPTS...]` arguments with gptme's flags. Hand-written rather than `node:util`'s
 * parseArgs because gptme has `--stream/--no-stream` and a lone `-` between chained prompts, and
 * because this runs before anything else is loaded (start-up time).
 */

export type ToolFormatFlag = "markdown" | "xml" | "tool";

export interface ChatOptions {
  /** One entry per chained prompt (separated by a lone `-`). */
  prompts: string[];
  name?: string;
  model?: string;
  workspace?: string;
  resume: boolean;
  noConfirm: boolean;
  nonInteractive: boolean;
  /** `-t` values as given (comma-separated lists allowed), gptme's allowlist syntax. */
  tools?: string[];
  toolFormat?: ToolFormatFlag;
  system?: string;
  stream?: boolean;
  /** `--sandbox NAME`: where tools run (default none, as gptme; or GPTME_SANDBOX). */
  sandbox?: string;
  showHidden: boolean;
  verbose: boolean;
}

export type CommandLine = { kind: "help" } | { kind: "version" } | { kind: "chat"; options: ChatOptions };

/** A mistake in the command line: reported as one line with a pointer to `--help`. */
export class UsageError extends Error {
  override name = "UsageError";
}

type ValueFlag = "name" | "model" | "workspace" | "tools" | "toolFormat" | "system" | "sandbox";
type SwitchFlag = "resume" | "noConfirm" | "nonInteractive" | "showHidden" | "verbose" | "help" | "version" | "stream" | "noStream";

const valueFlags: Record<string, ValueFlag> = {
  "--name": "name",
  "-m": "model",
  "--model": "model",
  "-w": "workspace",
  "--workspace": "workspace",
  "-t": "tools",
  "--tools": "tools",
  "--tool-format": "toolFormat",
  "--system": "system",
  "--sandbox": "sandbox",
};

const switchFlags: Record<string, SwitchFlag> = {
  "-r": "resume",
  "--resume": "resume",
  "-y": "noConfirm",
  "--no-confirm": "noConfirm",
  "-n": "nonInteractive",
  "--non-interactive": "nonInteractive",
  "--show-hidden": "showHidden",
  "-v": "verbose",
  "--verbose": "verbose",
  "-h": "help",
  "--help": "help",
  "--version": "version",
  "--stream": "stream",
  "--no-stream": "noStream",
};

const toolFormats: ToolFormatFlag[] = ["markdown", "xml", "tool"];

/** Parses `argv` (without node and the script). Throws `UsageError`. */
export function parseCommandLine(argv: string[]): CommandLine {
  const options: ChatOptions = { prompts: [], resume: false, noConfirm: false, nonInteractive: false, showHidden: false, verbose: false };
  const switches = new Set<SwitchFlag>();
  const words: string[] = [];

  const setValue = (flag: ValueFlag, value: string, spelling: string) => {
    if (flag === "tools") {
      options.tools = [...(options.tools ?? []), value];
    } else if (flag === "toolFormat") {
      if (!toolFormats.includes(value as ToolFormatFlag)) {
        throw new UsageError(`Invalid value for ${spelling}: "${value}" (choose from ${toolFormats.join(", ")})`);
      }
      options.toolFormat = value as ToolFormatFlag;
    } else {
      options[flag] = value;
    }
  };

  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === "--") {
      words.push(...argv.slice(index + 1));
      break;
    }
    if (argument === "-" || !argument.startsWith("-")) {
      words.push(argument);
      continue;
    }
    const equals = argument.startsWith("--") ? argument.indexOf("=") : -1;
    const spelling = equals === -1 ? argument : argument.slice(0, equals);
    const inline = equals === -1 ? undefined : argument.slice(equals + 1);
    const valueFlag = valueFlags[spelling];
    if (valueFlag) {
      const value = inline ?? argv[++index];
      if (value === undefined) throw new UsageError(`Option ${spelling} requires a value`);
      setValue(valueFlag, value, spelling);
      continue;
    }
    const switchFlag = switchFlags[spelling];
    if (switchFlag) {
      if (inline !== undefined) throw new UsageError(`Option ${spelling} does not take a value`);
      switches.add(switchFlag);
      if (switchFlag === "stream" || switchFlag === "noStream") options.stream = switchFlag === "stream";
      continue;
    }
    if (!argument.startsWith("--") && argument.length > 2) {
      index = parseShortGroup(argument, argv, index, switches, setValue);
      continue;
    }
    throw new UsageError(`No such option: ${spelling}`);
  }

  if (switches.has("help")) return { kind: "help" };
  if (switches.has("version")) return { kind: "version" };
  options.resume = switches.has("resume");
  options.nonInteractive = switches.has("nonInteractive");
  options.noConfirm = switches.has("noConfirm") || options.nonInteractive;
  options.showHidden = switches.has("showHidden");
  options.verbose = switches.has("verbose");
  options.prompts = splitPrompts(words);
  if (options.name !== undefined) validateConversationId(options.name);
  return { kind: "chat", options };
}

/** `-yn`, `-mopenai/gpt-4o`: switches combined, or a value glued to its short flag (click's way). */
function parseShortGroup(
  argument: string,
  argv: string[],
  index: number,
  switches: Set<SwitchFlag>,
  setValue: (flag: ValueFlag, value: string, spelling: string) => void,
): number {
  for (let position = 1; position < argument.length; position++) {
    const spelling = `-${argument[position]}`;
    const valueFlag = valueFlags[spelling];
    if (valueFlag) {
      const rest = argument.slice(position + 1);
      const value = rest || argv[index + 1];
      if (value === undefined) throw new UsageError(`Option ${spelling} requires a value`);
      setValue(valueFlag, value, spelling);
      return rest ? index : index + 1;
    }
    const switchFlag = switchFlags[spelling];
    if (!switchFlag) throw new UsageError(`No such option: ${spelling}`);
    switches.add(switchFlag);
  }
  return index;
}

/** gptme joins the words of one prompt with blank lines; a lone `-` starts the next prompt. */
export function splitPrompts(words: string[]): string[] {
  const prompts: string[] = [];
  let current: string[] = [];
  const close = () => {
    const text = current.join("\n\n").trim();
    if (text) prompts.push(text);
    current = [];
  };
  for (const word of words) {
    if (word === "-") close();
    else current.push(word);
  }
  close();
  return prompts;
}

/** gptme's rules for conversation ids (they are directory names there). */
export function validateConversationId(id: string): void {
  const problem =
    id.length === 0 ? "it is empty"
    : id !== id.trim() ? "it starts or ends with whitespace"
    : Buffer.byteLength(id) > 255 ? "it is longer than 255 bytes"
    : id === "." || id.includes("..") ? "it contains '..' or is '.'"
    : /[/\\]/.test(id) ? "it contains a slash"
    : /[\u0000-\u001f\u007f]/.test(id) ? "it contains control characters"
    : null;
  if (problem) throw new UsageError(`Invalid conversation name "${id}": ${problem}`);
}
