import { describe, expect, it } from "vitest";
import { findFirstCompleteToolUse, type ToolUseParseOptions } from "../../runtime/agent/parse/index.js";
import { StreamingToolUseDetector } from "../../runtime/agent/tool-use-detector.js";
import { parseOptions } from "./support/block-types.js";

const markdown = parseOptions("markdown");
const xml = parseOptions("xml");

/** Feeds `text` in chunks; returns the text up to where the detector stops the stream. */
function streamUntilToolUse(text: string, options: ToolUseParseOptions, chunkSize: number): string | undefined {
  const detector = new StreamingToolUseDetector(options);
  let seen = "";
  for (let index = 0; index < text.length; index += chunkSize) {
    const chunk = text.slice(index, index + chunkSize);
    const found = detector.append(chunk);
    if (found) return (seen + chunk).slice(0, found.end);
    seen += chunk;
  }
  return undefined;
}

describe("findFirstCompleteToolUse", () => {
  it("is complete once the closing fence line has ended", () => {
    expect(findFirstCompleteToolUse("```shell\nls\n``", markdown)).toBeUndefined();
    expect(findFirstCompleteToolUse("```shell\nls\n```", markdown)).toBeUndefined();
    const found = findFirstCompleteToolUse("```shell\nls\n```\n", markdown);
    expect(found?.toolUse).toEqual({ tool: "shell", args: [], content: "ls" });
    expect(found?.end).toBe("```shell\nls\n```\n".length);
  });

  it("does not take a bare fence that is still being written for a closing one", () => {
    expect(findFirstCompleteToolUse("```save a.md\n# A\n```", markdown)).toBeUndefined();
    expect(findFirstCompleteToolUse("```save a.md\n# A\n```python\n", markdown)).toBeUndefined();
  });

  it("skips complete non-tool blocks and finds the tool use after them", () => {
    const text = "```python\nprint(1)\n```\nNow run it:\n```shell\npython a.py\n```\nThe output will be";
    const found = findFirstCompleteToolUse(text, markdown);
    expect(text.slice(0, found?.end)).toBe("```python\nprint(1)\n```\nNow run it:\n```shell\npython a.py\n```\n");
  });

  it("returns the first of several", () => {
    expect(findFirstCompleteToolUse("```shell\nls\n```\n```shell\npwd\n```\n", markdown)?.toolUse.content).toBe("ls");
  });

  it("xml: complete at the closing wrapper tag", () => {
    expect(findFirstCompleteToolUse("<tool-use><shell>ls</shell>", xml)).toBeUndefined();
    expect(findFirstCompleteToolUse("<tool-use><shell>ls</shell></tool-use>", xml)?.end).toBe(38);
  });

  it("tool format: a native call line is complete when its JSON closes", () => {
    const tool = parseOptions("tool");
    expect(findFirstCompleteToolUse('@shell(c1): {"command": "l', tool)).toBeUndefined();
    expect(findFirstCompleteToolUse('@shell(c1): {"command": "ls"}', tool)?.toolUse.callId).toBe("c1");
  });
});

describe("StreamingToolUseDetector", () => {
  const reply = "Let me list the files.\n```shell\nls -la\n```\nSystem: total 0\nHere you go!";
  const stopAt = "Let me list the files.\n```shell\nls -la\n```\n";

  it.each([1, 2, 3, 5, 8, 13, 64, 1000])("stops right after the closing fence line with %i-character chunks", (size) => {
    expect(streamUntilToolUse(reply, markdown, size)).toBe(stopAt);
  });

  it("stops after a save with nested fences, not at an inner fence", () => {
    const text = "```save README.md\n# A\n```bash\nnpm i\n```\nend\n```\nafter";
    for (const size of [1, 4, 9]) expect(streamUntilToolUse(text, markdown, size)).toBe(text.slice(0, -"after".length));
  });

  it("never stops for non-tool blocks", () => {
    expect(streamUntilToolUse("```python\nx\n```\n```\ny\n```\ntext\n", markdown, 3)).toBeUndefined();
  });

  it("waits for a leading thinking block to close", () => {
    const text = "<think>\n```shell\nrm -rf /\n```\n</think>\n```shell\nls\n```\nmore";
    expect(streamUntilToolUse(text, markdown, 4)).toBe(text.slice(0, -"more".length));
  });

  it.each([1, 3, 7, 100])("xml: stops right after </tool-use> with %i-character chunks", (size) => {
    const text = "Sure.\n<tool-use>\n<shell>\nls\n</shell>\n</tool-use>\nSystem: files";
    expect(streamUntilToolUse(text, xml, size)).toBe("Sure.\n<tool-use>\n<shell>\nls\n</shell>\n</tool-use>");
  });

  it("agrees with findFirstCompleteToolUse on a long reply", () => {
    const prose = Array.from({ length: 200 }, (_, index) => `line ${index}\n\`\`\`python\nx = ${index}\n\`\`\`\n`).join("");
    const text = `${prose}\`\`\`shell\necho done\n\`\`\`\ntrailing`;
    const expected = text.slice(0, findFirstCompleteToolUse(text, markdown)?.end);
    expect(streamUntilToolUse(text, markdown, 11)).toBe(expected);
  });

  it("lines of hundreds of deltas, before and inside a tool use, stop at the same place", () => {
    const text = `${"word ".repeat(150)}\n\`\`\`shell\necho ${"x".repeat(400)}\n\`\`\`\nafter`;
    for (const size of [1, 2, 3]) expect(streamUntilToolUse(text, markdown, size)).toBe(text.slice(0, -"after".length));
    const xmlText = `${"word ".repeat(150)}\n<tool-use><shell>echo ${"x".repeat(400)}</shell></tool-use> after`;
    for (const size of [1, 2]) expect(streamUntilToolUse(xmlText, xml, size)).toBe(xmlText.slice(0, -" after".length));
  });

  it("thinking tags split across deltas are still recognised", () => {
    const text = "<thi" + "nk>\n```shell\nrm\n```\n</th" + "ink>\n```shell\nls\n```\nafter";
    expect(streamUntilToolUse(text, markdown, 3)).toBe(text.slice(0, -"after".length));
  });

  it("xml: passes over prose with > and wrappers of other tags", () => {
    const text = "a -> b > c\n<tool-use><browser>x</browser></tool-use>\n=> <tool-use><shell>ls</shell></tool-use> tail";
    for (const size of [1, 2, 5]) expect(streamUntilToolUse(text, xml, size)).toBe(text.slice(0, -" tail".length));
  });

  it.each(["markdown", "xml"] as const)("%s: stops where findFirstCompleteToolUse says, for any chunking", (format) => {
    const options = parseOptions(format);
    const samples =
      format === "markdown"
        ? [
            "Intro\n```python\nx\n```\n```save a.md\n# T\n```js\ny\n```\n```\nafter\n",
            "<think>\nplan\n</think>\nok\n````save b.md\n```\nz\n```\n````\nrest",
            "no tools here\n```\nplain\n```\n",
          ]
        : [
            "x > y\n<function_calls>\n<invoke name=\"shell\">\nls\n</invoke>\n</function_calls>\nrest",
            "<thinking>\n<tool-use><shell>no</shell></tool-use>\n</thinking>\n<tool-use>\n<save args=\"a b\">\n<b>x</b>\n</save>\n</tool-use>",
            "prose only > none",
          ];
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (const text of samples) {
      const expected = findFirstCompleteToolUse(text, options);
      for (let round = 0; round < 30; round++) {
        const detector = new StreamingToolUseDetector(options);
        let position = 0;
        let found;
        while (position < text.length && !found) {
          const size = 1 + Math.floor(random() * 9);
          found = detector.append(text.slice(position, position + size));
          position += size;
        }
        if (expected) {
          expect(found?.end).toBe(expected.end);
          expect(found?.toolUse).toEqual(expected.toolUse);
        } else {
          expect(found).toBeUndefined();
        }
      }
    }
  });
});

