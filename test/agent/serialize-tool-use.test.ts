import { describe, expect, it } from "vitest";
import { parseToolUses, serializeToolUse } from "../../runtime/agent/parse/index.js";
import type { ToolFormat } from "../../runtime/agent/types.js";
import { parseOptions } from "./support/block-types.js";

describe("serializeToolUse", () => {
  it("markdown: a fence with the args after the block type", () => {
    expect(serializeToolUse({ tool: "save", args: ["a b.txt"], content: "hi" }, "markdown")).toBe("```save a b.txt\nhi\n```");
    expect(serializeToolUse({ tool: "shell", args: [], content: "ls" }, "markdown")).toBe("```shell\nls\n```");
  });

  it("markdown: lengthens the fence when the content has fences", () => {
    const content = "# A\n```\nplain\n```";
    expect(serializeToolUse({ tool: "save", args: ["a.md"], content }, "markdown")).toBe(`\`\`\`\`save a.md\n${content}\n\`\`\`\``);
  });

  it("markdown: writes a given block type", () => {
    expect(serializeToolUse({ tool: "ipython", args: [], content: "1" }, "markdown", { blockType: "py" })).toBe("```py\n1\n```");
  });

  it("xml: tool-use with an escaped args attribute", () => {
    expect(serializeToolUse({ tool: "save", args: ['say "hi".txt'], content: "x" }, "xml")).toBe(
      '<tool-use>\n<save args="say &quot;hi&quot;.txt">\nx\n</save>\n</tool-use>',
    );
  });

  it("tool: the recorded call line, or the example form without a call id", () => {
    const toolUse = { tool: "shell", args: [], content: "", parameters: { command: "ls" } };
    expect(serializeToolUse({ ...toolUse, callId: "call_1" }, "tool")).toBe('@shell(call_1): {"command":"ls"}');
    expect(serializeToolUse(toolUse, "tool")).toBe('@shell: {"command":"ls"}');
    expect(serializeToolUse({ tool: "save", args: ["a.txt"], content: "x" }, "tool")).toBe('@save: {"args":"a.txt","content":"x"}');
  });

  it.each<ToolFormat>(["markdown", "xml"])("%s: parses back to the same tool use", (format) => {
    for (const toolUse of [
      { tool: "save", args: ["dir/my file.md"], content: "# T\n```js\nx\n```\n```\nplain\n```" },
      { tool: "shell", args: [], content: "echo 'a < b' && ls" },
      { tool: "patch", args: ["a.py"], content: "<<<<<<< ORIGINAL\nx\n=======\ny\n>>>>>>> UPDATED" },
    ]) {
      expect(parseToolUses(serializeToolUse(toolUse, format), parseOptions(format))).toEqual([toolUse]);
    }
  });

  it("tool: a recorded call parses back with its call id", () => {
    const toolUse = { tool: "save", args: [], content: "", callId: "toolu_1", parameters: { path: "a", content: "}{" } };
    expect(parseToolUses(serializeToolUse(toolUse, "tool"), parseOptions("tool"))).toEqual([toolUse]);
  });
});
