import { describe, expect, it } from "vitest";
import { fenceFor, locateToolUses, parseToolUses, scanCodeBlocks } from "../../runtime/agent/parse/index.js";
import { parseOptions } from "./support/block-types.js";

const markdown = parseOptions("markdown");

describe("markdown tool uses", () => {
  it("reads a shell block", () => {
    expect(parseToolUses("Let me look.\n```shell\nls -la\n```\n", markdown)).toEqual([
      { tool: "shell", args: [], content: "ls -la" },
    ]);
  });

  it("takes everything after the first space as the path of save, append, patch and read", () => {
    const text = [
      "```save my notes/today.md",
      "hello",
      "```",
      "```append log.txt",
      "line",
      "```",
      "```patch src/a b.ts",
      "<<<<<<< ORIGINAL",
      "x",
      "=======",
      "y",
      ">>>>>>> UPDATED",
      "```",
      "```read  /tmp/file.txt",
      "```",
    ].join("\n");
    expect(parseToolUses(text, markdown).map((toolUse) => [toolUse.tool, toolUse.args])).toEqual([
      ["save", ["my notes/today.md"]],
      ["append", ["log.txt"]],
      ["patch", ["src/a b.ts"]],
      ["read", ["/tmp/file.txt"]],
    ]);
  });

  it("splits the args of other tools into words", () => {
    expect(parseToolUses("```tmux new-session  'npm start'\n```", markdown)[0]).toEqual({
      tool: "tmux",
      args: ["new-session", "'npm", "start'"],
      content: "",
    });
  });

  it("maps block types to their tool (py → ipython)", () => {
    expect(parseToolUses("```py\nprint(1)\n```", markdown)[0].tool).toBe("ipython");
  });

  it("ignores languages that are not tools", () => {
    const text = "```python\nprint(1)\n```\n```stdout\nok\n```\n```output\nx\n```\n```text\ny\n```\n```\nbare\n```\n";
    expect(parseToolUses(text, markdown)).toEqual([]);
  });

  it("finds several blocks in order, between prose", () => {
    const text = "First:\n```shell\nls\n```\nThen a file:\n```save a.txt\nA\n```\nDone.";
    expect(parseToolUses(text, markdown).map((toolUse) => toolUse.tool)).toEqual(["shell", "save"]);
  });

  it("keeps labelled nested fences inside a save of a markdown file", () => {
    const readme = "# Title\n\nInstall:\n```bash\nnpm install\n```\n\nUse:\n```js\nrun()\n```\nEnd.";
    const toolUses = parseToolUses(`Saving:\n\`\`\`save README.md\n${readme}\n\`\`\`\nSaved.`, markdown);
    expect(toolUses).toEqual([{ tool: "save", args: ["README.md"], content: readme }]);
  });

  it("keeps nested fences two levels deep", () => {
    const inner = "```markdown\nOuter\n```python\nx = 1\n```\nback\n```";
    const toolUses = parseToolUses(`\`\`\`save doc.md\n${inner}\n\`\`\``, markdown);
    expect(toolUses[0].content).toBe(inner);
  });

  it("a fence opener inside a shell heredoc nests and is closed by its own bare fence", () => {
    const script = "cat > x.md <<EOF\n```python\nprint(1)\n```\nEOF";
    expect(parseToolUses(`\`\`\`shell\n${script}\n\`\`\``, markdown)[0].content).toBe(script);
  });

  it("a four-backtick fence keeps unlabelled inner fences as content", () => {
    const readme = "# Title\n```\nnpm install\n```\nMore text\n```\nplain\n```";
    const toolUses = parseToolUses(`\`\`\`\`save README.md\n${readme}\n\`\`\`\`\nDone.`, markdown);
    expect(toolUses).toEqual([{ tool: "save", args: ["README.md"], content: readme }]);
  });

  it("an unlabelled inner fence in a three-backtick block closes it (write four backticks instead)", () => {
    const toolUses = parseToolUses("```save README.md\n# Title\n```\nnpm install\n```\n```", markdown);
    expect(toolUses).toEqual([{ tool: "save", args: ["README.md"], content: "# Title" }]);
  });

  it("a closing fence needs at least as many backticks as a long opening fence", () => {
    expect(parseToolUses("````shell\nls\n```\n", markdown)).toEqual([]);
    expect(parseToolUses("````shell\nls\n`````\n", markdown)[0].content).toBe("ls");
  });

  it("a block that is never closed is not a tool use", () => {
    expect(parseToolUses("```shell\nls -la\n", markdown)).toEqual([]);
    expect(parseToolUses("```save a.md\n```python\nx\n```\n", markdown)).toEqual([]);
  });

  it("closes at the end of a finished reply without a trailing newline", () => {
    expect(parseToolUses("```shell\nls\n```", markdown)).toEqual([{ tool: "shell", args: [], content: "ls" }]);
  });

  it("needs the fence at the start of a line", () => {
    expect(parseToolUses("  ```shell\n  ls\n  ```\n", markdown)).toEqual([]);
    expect(parseToolUses("Run ```shell ls``` now", markdown)).toEqual([]);
  });

  it("keeps empty content and CRLF line ends", () => {
    expect(parseToolUses("```shell\n```\n", markdown)[0].content).toBe("");
    expect(parseToolUses("```shell\r\nls\r\npwd\r\n```\r\n", markdown)[0]).toEqual({ tool: "shell", args: [], content: "ls\r\npwd" });
  });

  it("ignores blocks inside a leading thinking block, and everything while it is open", () => {
    expect(parseToolUses("<think>\n```shell\nrm -rf /\n```\n</think>\n```shell\nls\n```", markdown)).toEqual([
      { tool: "shell", args: [], content: "ls" },
    ]);
    expect(parseToolUses("<thinking>\nmaybe\n```shell\nls\n```\n", markdown)).toEqual([]);
  });

  it("locates each block from its opening line to just past its closing line", () => {
    const text = "Hi\n```shell\nls\n```\nBye";
    const [located] = locateToolUses(text, markdown);
    expect(text.slice(located.start, located.end)).toBe("```shell\nls\n```\n");
  });

  it("tool format still reads markdown blocks", () => {
    expect(parseToolUses("```shell\nls\n```", parseOptions("tool"))).toHaveLength(1);
  });

  it("xml format does not read markdown blocks", () => {
    expect(parseToolUses("```shell\nls\n```", parseOptions("xml"))).toEqual([]);
  });
});

describe("scanCodeBlocks", () => {
  it("reports the info string and content of every block", () => {
    expect(scanCodeBlocks("```\na\n```\n```js x\nb\n```").blocks.map((block) => [block.info, block.content])).toEqual([
      ["", "a"],
      ["js x", "b"],
    ]);
  });

  it("while streaming ignores the unfinished last line", () => {
    expect(scanCodeBlocks("```shell\nls\n```", { streaming: true }).blocks).toEqual([]);
    expect(scanCodeBlocks("```shell\nls\n```\n", { streaming: true }).blocks).toHaveLength(1);
  });

  it("resumes after closed blocks", () => {
    const text = "```python\nx\n```\nprose\n```shell\nls\n";
    const scan = scanCodeBlocks(text, { streaming: true });
    expect(scan.blocks).toHaveLength(1);
    expect(text.slice(scan.resumeFrom)).toBe("```shell\nls\n");
  });
});

describe("fenceFor", () => {
  it("uses three backticks unless the content has fence lines", () => {
    expect(fenceFor("ls")).toBe("```");
    expect(fenceFor("a\n```js\nb\n```")).toBe("````");
    expect(fenceFor("`````\nx")).toBe("``````");
  });
});
