/** `patch`: edits a file with gptme's ORIGINAL/UPDATED conflict-marker hunks; all or nothing. */
import { z } from "zod";
import { defineTool } from "./define-tool.js";
import { fileDiff, readTextIfExists } from "./file-diff.js";
import { pathFromArgs } from "./formatting.js";
import { applyPatch } from "./patch-hunks.js";
import { resolveToolPath } from "./paths.js";
import type { ToolContext } from "./tool.js";

const EXAMPLE_PATCH = `<<<<<<< ORIGINAL
    print("Hello world")
=======
    name = input("What is your name? ")
    print(f"Hello {name}")
>>>>>>> UPDATED`;

const parameters = z.object({
  path: z.string().trim().min(1, "No path provided").describe("The path of the file to patch."),
  patch: z.string().describe(`The patch to apply. Use conflict markers! Example:\n${EXAMPLE_PATCH}`),
});

interface PatchedFile {
  absolute: string;
  display: string;
  before: string;
  after: string;
}

/** Reads the file, applies every hunk in memory and keeps the file's line ends (CRLF stays CRLF). */
async function patchInMemory(rawPath: string, patch: string, context: ToolContext): Promise<PatchedFile> {
  const target = resolveToolPath(rawPath, context.workspace, context.sandbox.home);
  const before = await readTextIfExists(context.sandbox.files, target.absolute);
  if (before === undefined) {
    throw new Error(`Patch failed: No such file or directory \`${target.absolute}\` (pwd: \`${context.workspace}\`)`);
  }
  const crlf = before.includes("\r\n");
  const recovery = ["true", "1"].includes((process.env.GPTME_PATCH_RECOVERY ?? "").toLowerCase());
  let after: string;
  try {
    after = applyPatch(crlf ? before.replace(/\r\n/g, "\n") : before, patch, recovery);
  } catch (error) {
    throw new Error(`Patch failed: ${(error as Error).message}`);
  }
  if (crlf) after = after.replace(/\r?\n/g, "\r\n");
  return { ...target, before, after };
}

export function createPatchTool() {
  return defineTool({
    name: "patch",
    description: "Apply a patch to a file",
    instructions: `To patch/modify files, we use an adapted version of git conflict markers.

Multiple ORIGINAL/UPDATED blocks can make several changes in one patch.
Keep patches small. Scope each change to a function/class. Avoid placeholders
in ORIGINAL blocks; they must match the file exactly or the patch will fail.
Each ORIGINAL block must match exactly one place in the file; if any block fails, nothing is changed.

### When to use patch vs save

Use \`patch\` for targeted edits to existing files.
Use \`save\` for new files, full rewrites, or changes too large for patch markers.`,
    examples: [
      {
        role: "user",
        content:
          'patch `src/hello.py` to ask for the name of the user\n```src/hello.py\ndef hello():\n    print("Hello world")\n\nif __name__ == "__main__":\n    hello()\n```',
      },
      { role: "assistant", content: "", toolUse: { args: ["src/hello.py"], content: EXAMPLE_PATCH } },
      { role: "system", content: "Patch successfully applied to `src/hello.py`" },
    ],
    blockTypes: ["patch"],
    parameters,
    isAvailable: () => true,
    fromBlock: (args, content) => ({ path: pathFromArgs("patch", args), patch: content }),
    toBlock: ({ path: file, patch }) => ({ args: [file], content: patch }),
    async preview({ path: rawPath, patch }, context) {
      const file = await patchInMemory(rawPath, patch, context);
      return fileDiff(file.display, file.before, file.after);
    },
    async execute({ path: rawPath, patch }, context) {
      if (!patch.trim()) return "Error: No patch provided by the assistant";
      const file = await patchInMemory(rawPath, patch, context);
      await context.sandbox.files.write(file.absolute, file.after);
      const warning =
        patch.length > 1000 && patch.length > file.after.length
          ? "\nNote: The patch was big and larger than the file. In the future, try writing smaller patches or use the save tool instead."
          : "";
      return `Patch successfully applied to \`${file.absolute}\`${warning}`;
    },
  });
}
