/** `append`: adds text to the end of a file, creating it (and its folder) if needed. */
import { z } from "zod";
import { defineTool } from "./define-tool.js";
import { fileDiff, readTextIfExists } from "./file-diff.js";
import { pathFromArgs } from "./formatting.js";
import { resolveToolPath } from "./paths.js";
import { hasPlaceholders, withTrailingNewline } from "./save.js";

/** What gets appended: newline-terminated, and on a new line when the file lacks a final newline. */
function addition(before: string | undefined, content: string): string {
  const text = withTrailingNewline(content);
  return before && !before.endsWith("\n") ? `\n${text}` : text;
}

const parameters = z.object({
  path: z.string().trim().min(1, "No path provided").describe("The path of the file"),
  content: z.string().describe("The content to append"),
});

export function createAppendTool() {
  return defineTool({
    name: "append",
    description: "Append text to file",
    instructions: "Append the given content to a file.\nThe path can be relative to the workspace, or absolute.",
    examples: [
      { role: "user", content: 'append a print "Hello world" to hello.py' },
      { role: "assistant", content: "", toolUse: { args: ["hello.py"], content: 'print("Hello world")' } },
      { role: "system", content: "Appended to hello.py" },
    ],
    blockTypes: ["append"],
    parameters,
    isAvailable: () => true,
    fromBlock: (args, content) => ({ path: pathFromArgs("append", args), content }),
    toBlock: ({ path: file, content }) => ({ args: [file], content }),
    async preview({ path: rawPath, content }, context) {
      const target = resolveToolPath(rawPath, context.workspace, context.sandbox.home);
      const before = await readTextIfExists(context.sandbox.files, target.absolute);
      return fileDiff(target.display, before, (before ?? "") + addition(before, content));
    },
    async execute({ path: rawPath, content }, context) {
      if (!content) return "No content provided";
      if (hasPlaceholders(content)) {
        return "Append aborted: Content contains placeholder lines (e.g. '# ...' or '// ...'). Please provide the complete content.";
      }
      const target = resolveToolPath(rawPath, context.workspace, context.sandbox.home);
      const before = await readTextIfExists(context.sandbox.files, target.absolute);
      await context.sandbox.files.write(target.absolute, addition(before, content), { append: true });
      return `Appended to ${target.display}`;
    },
  });
}
