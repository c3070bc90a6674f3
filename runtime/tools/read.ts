/** `read`: a file with numbered lines (optionally a line range), or a directory listing (gptme HEAD's read tool). */
import { z } from "zod";
import { SandboxFileError } from "../sandbox/types.js";
import { defineTool } from "./define-tool.js";
import { fence, pathFromArgs } from "./formatting.js";
import { resolveToolPath } from "./paths.js";
import type { ToolContext } from "./tool.js";

const MAX_DIRECTORY_ENTRIES = 100;
/** Bigger files are refused rather than loaded whole; the shell can page through them. */
const MAX_FILE_BYTES = 10 * 1024 * 1024;

const parameters = z.object({
  path: z
    .string()
    .trim()
    .min(1, "No path provided")
    .describe("The path of the file or directory to read. Several paths may be given one per line."),
  start_line: z.number().int().optional().describe("Line number to start reading from (1-indexed). Ignored when reading multiple files."),
  end_line: z.number().int().optional().describe("Line number to stop reading at (inclusive). Ignored when reading multiple files."),
});

function errorCode(error: unknown): string | undefined {
  return error instanceof SandboxFileError ? error.code : undefined;
}

async function listDirectory(directory: string, context: ToolContext): Promise<string> {
  let entries;
  try {
    entries = await context.sandbox.files.list(directory);
  } catch (error) {
    if (errorCode(error) === "EACCES") return `Permission denied: ${directory}`;
    throw error;
  }
  if (entries.length === 0) return fence(directory, "(empty directory)");
  entries.sort((a, b) => Number(b.directory) - Number(a.directory) || a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  const lines = entries.slice(0, MAX_DIRECTORY_ENTRIES).map((entry) => entry.name + (entry.directory ? "/" : ""));
  if (entries.length > MAX_DIRECTORY_ENTRIES) lines.push(`... and ${entries.length - MAX_DIRECTORY_ENTRIES} more entries`);
  return fence(`${directory} (${entries.length} entries)`, lines.join("\n"));
}

function decodeText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Python's `str.splitlines()` for the common line ends. */
function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r\n|\n|\r/);
  if (/(\r\n|\n|\r)$/.test(text)) lines.pop();
  return lines;
}

async function readOne(rawPath: string, context: ToolContext, startLine: number, endLine?: number): Promise<string> {
  let file: string;
  try {
    file = resolveToolPath(rawPath, context.workspace, context.sandbox.home).absolute;
  } catch (error) {
    return (error as Error).message;
  }
  let info;
  try {
    info = await context.sandbox.files.stat(file);
  } catch (error) {
    if (errorCode(error) === "EACCES") return `Permission denied: ${file}`;
    throw error;
  }
  if (!info) return `File not found: ${file}`;
  if (info.type === "directory") return listDirectory(file, context);
  if (info.type !== "file") return `Not a file: ${file}`;
  if (info.size > MAX_FILE_BYTES) {
    return `File too large to read (${info.size} bytes): ${file}. Use the shell to read parts of it (e.g. \`sed -n '1,200p' ${rawPath}\`).`;
  }
  let bytes: Buffer;
  try {
    bytes = await context.sandbox.files.read(file, MAX_FILE_BYTES);
  } catch (error) {
    if (errorCode(error) === "EACCES") return `Permission denied: ${file}`;
    if (errorCode(error) === "ENOENT") return `File not found: ${file}`;
    if (errorCode(error) === "EFBIG") return `File too large to read: ${file}. Use the shell to read parts of it.`;
    throw error;
  }
  const text = decodeText(bytes);
  if (text === undefined) return `Cannot read binary file: ${file}`;

  const lines = splitLines(text);
  const startIndex = startLine - 1;
  const endIndex = Math.min(lines.length, endLine ?? lines.length);
  const shown = lines.slice(startIndex, endIndex);
  const lastNumber = shown.length > 0 ? startIndex + shown.length : endIndex;
  const width = lastNumber > 0 ? String(lastNumber).length : 1;
  const numbered = shown.map((line, index) => `${String(startIndex + index + 1).padStart(width)}\t${line}`).join("\n");
  const range = startLine > 1 || endLine !== undefined ? ` (lines ${startIndex + 1}-${endIndex} of ${lines.length})` : "";
  return fence(`${file}${range}`, numbered);
}

export function createReadTool() {
  return defineTool({
    name: "read",
    description: "Read the content of one or more files, or list directory contents",
    instructions: `Read the content of one or more files, or list the contents of a directory.
Paths can be relative to the workspace or absolute.
For files, output includes line numbers for easy reference.
For directories, output shows a flat listing of immediate files and subdirectories.

To read multiple files in a single call, put one path per line in the code block.
Lines beginning with '#' are treated as comments and skipped.
The line-range parameters (start_line, end_line) only apply when reading a single file.`,
    examples: [
      { role: "user", content: "read hello.py" },
      { role: "assistant", content: "", toolUse: { args: ["hello.py"], content: "" } },
      { role: "system", content: fence("hello.py", '1\tprint("Hello world")\n2\tprint("Goodbye world")') },
    ],
    blockTypes: ["read"],
    parameters,
    isAvailable: () => true,
    fromBlock(args, content) {
      const fromArgs = pathFromArgs("read", args);
      if (fromArgs) return { path: fromArgs };
      const lines = content.split("\n").map((line) => line.trim());
      return { path: lines.filter((line) => line !== "" && !line.startsWith("#")).join("\n") };
    },
    toBlock: ({ path: paths }) => (paths.includes("\n") ? { args: [], content: paths } : { args: [paths], content: "" }),
    async execute({ path: paths, start_line, end_line }, context) {
      const list = paths.split("\n").map((line) => line.trim()).filter((line) => line !== "");
      const messages: string[] = [];
      let startLine = start_line ?? 1;
      let endLine = end_line;
      if (list.length > 1 && (startLine !== 1 || endLine !== undefined)) {
        messages.push("start_line/end_line ignored when reading multiple paths");
        startLine = 1;
        endLine = undefined;
      }
      if (startLine < 1) return `Invalid line range: start_line (${startLine}) must be >= 1.`;
      if (endLine !== undefined && endLine < 1) return `Invalid line range: end_line (${endLine}) must be >= 1.`;
      if (endLine !== undefined && startLine > endLine) {
        return `Invalid line range: start_line (${startLine}) is greater than end_line (${endLine}).`;
      }
      for (const rawPath of list) messages.push(await readOne(rawPath, context, startLine, endLine));
      return messages.join("\n\n");
    },
  });
}
