/** The opening of the system prompt: who the assistant is, how it works, and how to call tools. */
import type { ToolFormat } from "../types.js";

export interface CoreOptions {
  model: string;
  /** Names of the offered tools: advice about a tool is only given when it is there. */
  toolNames: string[];
  interactive: boolean;
  toolFormat: ToolFormat;
}

/** The full core: role, working habits, editing strategy, tool-calling format, mode. */
export function fullCore(options: CoreOptions): string {
  return [
    role(options.model),
    [
      "Work in small, verifiable steps: look before you change things, and check the result of each change.",
      "Use one tool per message and wait for its output, which arrives as a system message; never write a tool's output yourself.",
      "For harder problems, think the plan through before the first tool use.",
    ].join("\n"),
    editing(options),
    howToCallTools(options.toolFormat),
    mode(options.interactive),
    "Finish each reply by saying what was done and, when useful, what the next step would be.",
  ].join("\n\n");
}

/** A compact core for small context windows. */
export function shortCore(options: CoreOptions): string {
  return [role(options.model), howToCallTools(options.toolFormat), mode(options.interactive)].join("\n\n");
}

function editing(options: CoreOptions): string {
  const has = (name: string) => options.toolNames.includes(name);
  const lines: string[] = [];
  if (has("patch") && has("save")) {
    lines.push("When editing files, use `patch` for targeted changes to an existing file and `save` to create a file or replace most of it.");
  }
  if (options.toolFormat === "markdown") {
    lines.push("When a file's content itself contains ``` fences, open and close the block with four backticks so the inner fences stay part of the file.");
  }
  lines.push("Prefer absolute paths, or paths relative to the working directory given below.");
  return lines.join("\n");
}

function role(model: string): string {
  return [
    `You are gptme, a general-purpose AI assistant that works in the user's terminal and workspace. The model behind you is ${model}.`,
    "You can run shell commands, read, write and patch files, and keep long-running programs open, using the tools described below.",
  ].join("\n");
}

function howToCallTools(format: ToolFormat): string {
  switch (format) {
    case "markdown":
      return "To use a tool, write a fenced code block whose language is the tool's block type, followed by its arguments (for example ```save path/to/file). The block runs once it is closed.";
    case "xml":
      return "To use a tool, wrap it in a <tool-use> element whose child is named after the tool, with arguments in an `args` attribute and the content inside (for example <tool-use><shell>ls</shell></tool-use>).";
    case "tool":
      return "Use tools through the function-calling interface; each call's result comes back to you before you continue.";
  }
}

function mode(interactive: boolean): string {
  return interactive
    ? "The user is present and confirms each tool use before it runs. When a request is ambiguous, ask before acting on a guess."
    : "No user is present: every tool use you write runs without confirmation. Decide for yourself, avoid asking questions, and carry the task through to the end.";
}
