import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createReadTool } from "../../runtime/tools/read.js";
import { describeEachLocalBackend } from "../support/sandboxes.js";
import { makeContext as makeContextOn } from "./tool-context.js";

const read = createReadTool();

describeEachLocalBackend("read", {}, (backend) => {
  const makeContext = () => makeContextOn(backend);

  it("numbers lines in a block named by the path", async () => {
    const context = await makeContext();
    await writeFile(path.join(context.workspace, "hello.py"), 'print("Hello world")\nprint("Goodbye world")\n');
    expect(await read.execute({ path: "hello.py" }, context)).toBe(
      `\`\`\`${path.join(context.workspace, "hello.py")}\n1\tprint("Hello world")\n2\tprint("Goodbye world")\n\`\`\``,
    );
  });

  it("right-aligns numbers to the widest one shown", async () => {
    const context = await makeContext();
    await writeFile(path.join(context.workspace, "long.txt"), Array.from({ length: 12 }, (_, index) => `line ${index + 1}`).join("\n"));
    const output = await read.execute({ path: "long.txt" }, context);
    expect(output).toContain("\n 9\tline 9\n10\tline 10\n");
  });

  it("reads a line range and says which", async () => {
    const context = await makeContext();
    await writeFile(path.join(context.workspace, "f.txt"), "a\nb\nc\nd\n");
    expect(await read.execute({ path: "f.txt", start_line: 2, end_line: 3 }, context)).toBe(
      `\`\`\`${path.join(context.workspace, "f.txt")} (lines 2-3 of 4)\n2\tb\n3\tc\n\`\`\``,
    );
    expect(await read.execute({ path: "f.txt", start_line: 3, end_line: 2 }, context)).toBe(
      "Invalid line range: start_line (3) is greater than end_line (2).",
    );
    expect(await read.execute({ path: "f.txt", start_line: 0 }, context)).toBe("Invalid line range: start_line (0) must be >= 1.");
  });

  it("lists a directory, folders first, at most 100 entries", async () => {
    const context = await makeContext();
    await mkdir(path.join(context.workspace, "src"));
    for (let index = 0; index < 105; index++) await writeFile(path.join(context.workspace, `file${String(index).padStart(3, "0")}.txt`), "");
    const output = await read.execute({ path: "." }, context);
    expect(output.startsWith(`\`\`\`${context.workspace} (106 entries)\nsrc/\nfile000.txt\n`)).toBe(true);
    expect(output).toContain("file098.txt\n... and 6 more entries\n```");
  });

  it("refuses binary files and reports missing ones", async () => {
    const context = await makeContext();
    await writeFile(path.join(context.workspace, "image.bin"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe]));
    expect(await read.execute({ path: "image.bin" }, context)).toBe(`Cannot read binary file: ${path.join(context.workspace, "image.bin")}`);
    expect(await read.execute({ path: "nope.txt" }, context)).toBe(`File not found: ${path.join(context.workspace, "nope.txt")}`);
  });

  // Root reads any file, so only where the tools are not root: a test user, or the user backend's tools user.
  it.skipIf(process.getuid?.() === 0 && backend !== "user")("reports unreadable files", async () => {
    const context = await makeContext();
    const file = path.join(context.workspace, "secret.txt");
    await writeFile(file, "x");
    await chmod(file, 0o000);
    expect(await read.execute({ path: "secret.txt" }, context)).toBe(`Permission denied: ${file}`);
  });

  it("reads several paths given one per line in the block, skipping comments", async () => {
    const context = await makeContext();
    await writeFile(path.join(context.workspace, "a.txt"), "A\n");
    await writeFile(path.join(context.workspace, "b.txt"), "B\n");
    const parameters = read.fromBlock([], "a.txt\n# a comment\nb.txt\n");
    expect(parameters).toEqual({ path: "a.txt\nb.txt" });
    const output = await read.execute(parameters, context);
    expect(output).toContain("a.txt\n1\tA\n```\n\n```");
    expect(output).toContain("b.txt\n1\tB\n```");
  });

  it("takes a path with spaces from the block's args", () => {
    expect(read.fromBlock(["read my notes.md"], "")).toEqual({ path: "my notes.md" });
  });
});
