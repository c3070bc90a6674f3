/** `save`: writes a whole file (gptme's save tool). */
import { z } from "zod";
import { defineTool } from "./define-tool.js";
import { fileDiff, readTextIfExists } from "./file-diff.js";
import { pathFromArgs } from "./formatting.js";
import { resolveToolPath } from "./paths.js";

/** Lines like `# ...` or `// ... rest of code` mean the model left something out. */
const PLACEHOLDER = /^\s*(#|\/\/|"{3})\s*\.{3}.*$/m;

export function hasPlaceholders(content: string): boolean {
  return PLACEHOLDER.test(content);
}

export function withTrailingNewline(content: string): string {
  return content.endsWith("\n") ? content : `${content}\n`;
}

const parameters = z.object({
  path: z.string().trim().min(1, "No path provided").describe("The path of the file"),
  content: z.string().describe("The content to save"),
});

export function createSaveTool() {
  return defineTool({
    name: "save",
    description: "Write text to file",
    instructions: `Create or overwrite a file with the given content.

The path can be relative to the workspace, or absolute.

### When to use save vs patch

Use \`save\` for new files, full rewrites, or edits that touch most of a file.
Use \`patch\` for targeted edits to existing files; it keeps surrounding content intact.`,
    examples: [
      { role: "user", content: "write a hello world script to hello.py" },
      { role: "assistant", content: "", toolUse: { args: ["hello.py"], content: 'print("Hello world")' } },
      { role: "system", content: "Saved to hello.py" },
      { role: "user", content: "make it all-caps" },
      { role: "assistant", content: "", toolUse: { args: ["hello.py"], content: 'print("HELLO WORLD")' } },
      { role: "system", content: "Saved to hello.py (overwritten)" },
    ],
    blockTypes: ["save"],
    parameters,
    isAvailable: () => true,
    fromBlock: (args, content) => ({ path: pathFromArgs("save", args), content }),
    toBlock: ({ path: file, content }) => ({ args: [file], content }),
    async preview({ path: rawPath, content }, context) {
      const target = resolveToolPath(rawPath, context.workspace, context.sandbox.home);
      return fileDiff(target.display, await readTextIfExists(context.sandbox.files, target.absolute), withTrailingNewline(content));
    },
    async execute({ path: rawPath, content }, context) {
      if (!content) return "No content provided";
      if (hasPlaceholders(content)) {
        return "Save aborted: Content contains placeholder lines (e.g. '# ...' or '// ...'). Please provide the complete content or use the patch tool for partial changes.";
      }
      const target = resolveToolPath(rawPath, context.workspace, context.sandbox.home);
      const written = await context.sandbox.files.write(target.absolute, withTrailingNewline(content));
      return `Saved to ${target.display}${written.existed ? " (overwritten)" : ""}${written.createdFolder ? " (created missing folder)" : ""}`;
    },
  });
}
