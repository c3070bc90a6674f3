import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { applyPatch, parsePatch } from "../../runtime/tools/patch-hunks.js";
import { createPatchTool } from "../../runtime/tools/patch.js";
import { createToolRegistry } from "../../runtime/tools/registry.js";
import { describeEachLocalBackend, type LocalBackend } from "../support/sandboxes.js";
import { makeContext } from "./tool-context.js";

const patchTool = createPatchTool();
const hunk = (original: string, updated: string) => `<<<<<<< ORIGINAL\n${original}\n=======\n${updated}\n>>>>>>> UPDATED`;

async function fileWithOn(content: string, backend: LocalBackend) {
  const context = await makeContext(backend);
  const file = path.join(context.workspace, "code.py");
  await context.writeFile(file, content);
  return { context, file, read: () => readFile(file, "utf8") };
}

describe("patch hunks", () => {
  it("parses several hunks, and an empty UPDATED", () => {
    expect(parsePatch(`${hunk("a", "b")}\n${hunk("c", "d")}`)).toEqual([
      { original: "a", updated: "b" },
      { original: "c", updated: "d" },
    ]);
    expect(parsePatch("<<<<<<< ORIGINAL\nremove me\n=======\n>>>>>>> UPDATED")).toEqual([{ original: "remove me", updated: "" }]);
  });

  it("rejects malformed patches", () => {
    expect(() => parsePatch("<<<<<<< ORIGINAL\na\n>>>>>>> UPDATED")).toThrow("invalid patch format: missing =======");
    expect(() => parsePatch("<<<<<<< ORIGINAL\na\n=======\nb")).toThrow("invalid patch format: missing >>>>>>> UPDATED");
    expect(() => parsePatch(hunk("a", "b\n=======\nc"))).toThrow(/extra ======= marker/);
    expect(() => parsePatch("just text")).toThrow("invalid patch, no `<<<<<<< ORIGINAL`");
  });

  it("matches whitespace-only lines loosely when the exact text is not found", () => {
    expect(applyPatch("def f():\n    a = 1\n    \n    return a\n", hunk("    a = 1\n\n    return a", "    return 1"))).toBe("def f():\n    return 1\n");
  });

  it("splits hunks at `# ...` placeholders", () => {
    const content = "a = 1\nb = 2\nc = 3\n";
    expect(applyPatch(content, hunk("a = 1\n# ...\nc = 3", "a = 10\n# ...\nc = 30"))).toBe("a = 10\nb = 2\nc = 30\n");
  });
});

describeEachLocalBackend("patch tool", {}, (backend) => {
  const fileWith = (content: string) => fileWithOn(content, backend);

  it("applies a hunk and reports gptme's success text", async () => {
    const { context, file, read } = await fileWith('def hello():\n    print("Hello world")\n');
    const output = await patchTool.execute({ path: "code.py", patch: hunk('    print("Hello world")', '    print("Hi")') }, context);
    expect(output).toBe(`Patch successfully applied to \`${file}\``);
    expect(await read()).toBe('def hello():\n    print("Hi")\n');
  });

  it("applies several hunks in one block", async () => {
    const { context, read } = await fileWith("one\ntwo\nthree\n");
    await patchTool.execute({ path: "code.py", patch: `${hunk("one", "1")}\n${hunk("three", "3")}` }, context);
    expect(await read()).toBe("1\ntwo\n3\n");
  });

  it("fails with gptme's messages and leaves the file alone", async () => {
    const { context, read } = await fileWith("x = 1\nx = 1\ny = 2\n");
    const attempt = (patch: string) => patchTool.execute({ path: "code.py", patch }, context);
    await expect(attempt(hunk("z = 3", "z = 4"))).rejects.toThrow(/^Patch failed: original chunk not found in file$/);
    await expect(attempt(hunk("x = 1", "x = 2"))).rejects.toThrow(
      "Patch failed: original chunk is not unique (2 matches found). Provide more surrounding context to make the match unique.",
    );
    await expect(attempt(hunk("y = 2", "y = 2"))).rejects.toThrow("Patch failed: patch did not change the file (original and updated chunks are identical)");
    await expect(attempt("<<<<<<< ORIGINAL\ny = 2\n>>>>>>> UPDATED")).rejects.toThrow("Patch failed: invalid patch format: missing =======");
    expect(await read()).toBe("x = 1\nx = 1\ny = 2\n");
  });

  it("writes nothing when a later hunk fails, and names that hunk", async () => {
    const { context, read } = await fileWith("alpha\nbeta\n");
    const patch = `${hunk("alpha", "ALPHA")}\n${hunk("gamma", "GAMMA")}`;
    await expect(patchTool.execute({ path: "code.py", patch }, context)).rejects.toThrow(
      "Patch failed: Hunk 2/2 failed (1 hunk(s) applied successfully before failure): original chunk not found in file\nFailed hunk starts with: 'gamma'",
    );
    expect(await read()).toBe("alpha\nbeta\n");
  });

  it("keeps CRLF line ends", async () => {
    const { context, read } = await fileWith("first\r\nsecond\r\nthird\r\n");
    await patchTool.execute({ path: "code.py", patch: hunk("second\nthird", "2nd\nadded\nthird") }, context);
    expect(await read()).toBe("first\r\n2nd\r\nadded\r\nthird\r\n");
  });

  it("handles files without a trailing newline and deletions at the end", async () => {
    const { context, read } = await fileWith("keep\nlast line");
    await patchTool.execute({ path: "code.py", patch: hunk("last line", "final line") }, context);
    expect(await read()).toBe("keep\nfinal line");
    await patchTool.execute({ path: "code.py", patch: "<<<<<<< ORIGINAL\n\nfinal line\n=======\n>>>>>>> UPDATED" }, context);
    expect(await read()).toBe("keep");
  });

  it("keeps the trailing newline when the hunk ends at the last line", async () => {
    const { context, read } = await fileWith("a\nb\n");
    await patchTool.execute({ path: "code.py", patch: hunk("b", "c") }, context);
    expect(await read()).toBe("a\nc\n");
  });

  it("reports a missing file", async () => {
    const context = await makeContext(backend);
    await expect(patchTool.execute({ path: "missing.py", patch: hunk("a", "b") }, context)).rejects.toThrow(
      `Patch failed: No such file or directory \`${path.join(context.workspace, "missing.py")}\` (pwd: \`${context.workspace}\`)`,
    );
  });

  it("previews the result as a unified diff, and errors as text through the registry", async () => {
    const { context } = await fileWith("one\ntwo\n");
    const registry = createToolRegistry();
    expect(await registry.preview({ tool: "patch", args: ["code.py"], content: hunk("two", "2") }, context)).toBe(
      "--- a/code.py\n+++ b/code.py\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n",
    );
    expect(await registry.execute({ tool: "patch", args: ["code.py"], content: hunk("zzz", "2") }, context)).toBe(
      "Error during execution: Patch failed: original chunk not found in file",
    );
  });
});
