import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createAppendTool } from "../../runtime/tools/append.js";
import { createToolRegistry } from "../../runtime/tools/registry.js";
import { createSaveTool } from "../../runtime/tools/save.js";
import { describeEachLocalBackend } from "../support/sandboxes.js";
import { makeContext as makeContextOn } from "./tool-context.js";

const save = createSaveTool();
const append = createAppendTool();

describeEachLocalBackend("save and append", {}, (backend) => {
  const makeContext = () => makeContextOn(backend);

  describe("save", () => {
    it("writes relative to the workspace and adds the trailing newline", async () => {
      const context = await makeContext();
      expect(await save.execute({ path: "hello.py", content: 'print("hi")' }, context)).toBe("Saved to hello.py");
      expect(await readFile(path.join(context.workspace, "hello.py"), "utf8")).toBe('print("hi")\n');
    });

    it("says when it overwrote a file and when it created the folder", async () => {
      const context = await makeContext();
      expect(await save.execute({ path: "a/b/c.txt", content: "one\n" }, context)).toBe("Saved to a/b/c.txt (created missing folder)");
      expect(await save.execute({ path: "a/b/c.txt", content: "two\n" }, context)).toBe("Saved to a/b/c.txt (overwritten)");
      expect(await readFile(path.join(context.workspace, "a/b/c.txt"), "utf8")).toBe("two\n");
    });

    it("accepts absolute paths, as the sandbox sees them, and refuses relative ones that leave the workspace", async () => {
      const context = await makeContext();
      const outside = path.join(context.outside, "outside.txt");
      if (backend === "user") {
        // The tools user sees the host's folders, and may write only where that user may: not in the test's.
        await expect(save.execute({ path: outside, content: "x" }, context)).rejects.toThrow(/^EACCES: .*Permission denied/);
        expect(existsSync(outside)).toBe(false);
        const own = path.join(context.workspace, "sub", "inside.txt");
        expect(await save.execute({ path: own, content: "x" }, context)).toBe(`Saved to ${own} (created missing folder)`);
        expect(await readFile(own, "utf8")).toBe("x\n");
      } else {
        // bwrap: the folder does not exist in the sandbox (its /tmp is private), and the host file is untouched.
        expect(await save.execute({ path: outside, content: "x" }, context)).toBe(`Saved to ${outside}${backend === "bwrap" ? " (created missing folder)" : ""}`);
        expect(existsSync(outside)).toBe(backend === "none");
        expect(await context.sandbox.files.read(outside, 10)).toEqual(Buffer.from("x\n"));
      }
      await expect(save.execute({ path: "../escape.txt", content: "x" }, context)).rejects.toThrow(/^Path traversal detected: \.\.\/escape\.txt/);
    });

    it("expands ~ to the sandbox's home directory", async () => {
      const context = await makeContext();
      const registry = createToolRegistry();
      const preview = await registry.preview({ tool: "save", args: ["~/gptme-never-written.txt"], content: "x" }, context);
      expect(preview).toContain(`+++ b/${path.join(context.sandbox.home, "gptme-never-written.txt")}`);
    });

    it("refuses placeholder content and empty content as gptme does", async () => {
      const context = await makeContext();
      expect(await save.execute({ path: "x.py", content: "def f():\n    # ... rest of code\n" }, context)).toMatch(/^Save aborted: Content contains placeholder lines/);
      expect(await save.execute({ path: "x.py", content: "" }, context)).toBe("No content provided");
    });

    it("previews a unified diff against the current file, or a new-file diff", async () => {
      const context = await makeContext();
      expect(await save.preview!({ path: "new.txt", content: "a" }, context)).toBe("--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,1 @@\n+a\n");
      await writeFile(path.join(context.workspace, "old.txt"), "a\nb\n");
      expect(await save.preview!({ path: "old.txt", content: "a\nc" }, context)).toBe(
        "--- a/old.txt\n+++ b/old.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n",
      );
    });

    it("takes the path from a markdown block's args, spaces included", () => {
      expect(save.fromBlock(["save my file.txt"], "x")).toEqual({ path: "my file.txt", content: "x" });
      expect(save.fromBlock(["my", "file.txt"], "x")).toEqual({ path: "my file.txt", content: "x" });
      expect(save.toBlock({ path: "my file.txt", content: "x" })).toEqual({ args: ["my file.txt"], content: "x" });
    });
  });

  describe("append", () => {
    it("creates the file and its folder, then appends on a new line", async () => {
      const context = await makeContext();
      expect(await append.execute({ path: "logs/notes.txt", content: "first" }, context)).toBe("Appended to logs/notes.txt");
      expect(await append.execute({ path: "logs/notes.txt", content: "second\n" }, context)).toBe("Appended to logs/notes.txt");
      expect(await readFile(path.join(context.workspace, "logs/notes.txt"), "utf8")).toBe("first\nsecond\n");
    });

    it("starts a new line when the file does not end with one", async () => {
      const context = await makeContext();
      await context.writeFile(path.join(context.workspace, "f.txt"), "no newline");
      await append.execute({ path: "f.txt", content: "more" }, context);
      expect(await readFile(path.join(context.workspace, "f.txt"), "utf8")).toBe("no newline\nmore\n");
    });

    it("appends to absolute paths and previews the change as a diff", async () => {
      const context = await makeContext();
      const file = path.join(context.workspace, "deep", "abs.txt");
      await context.mkdir(path.dirname(file));
      await context.writeFile(file, "a\n");
      expect(await append.preview!({ path: file, content: "b" }, context)).toContain("@@ -1,1 +1,2 @@\n a\n+b\n");
      expect(await append.execute({ path: file, content: "b" }, context)).toBe(`Appended to ${file}`);
      expect(await readFile(file, "utf8")).toBe("a\nb\n");
    });
  });
});
