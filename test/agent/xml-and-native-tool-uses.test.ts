import { describe, expect, it } from "vitest";
import { findJsonObjectEnd, locateToolUses, parseToolUses, scanNativeToolCalls } from "../../runtime/agent/parse/index.js";
import { parseOptions } from "./support/block-types.js";

const xml = parseOptions("xml");
const tool = parseOptions("tool");

describe("xml tool uses", () => {
  it("reads gptme's tool-use element", () => {
    expect(parseToolUses("Listing:\n<tool-use>\n<shell>\nls -la\n</shell>\n</tool-use>\nDone", xml)).toEqual([
      { tool: "shell", args: [], content: "ls -la" },
    ]);
  });

  it("reads the args attribute (a path keeps its spaces) and decodes attribute entities", () => {
    const text = `<tool-use><save args="my dir/a&amp;b.txt">\nhello\n</save></tool-use>`;
    expect(parseToolUses(text, xml)).toEqual([{ tool: "save", args: ["my dir/a&b.txt"], content: "hello" }]);
  });

  it("falls back to the other attribute values when there is no args attribute", () => {
    expect(parseToolUses(`<tool-use><save path='a.txt'>x</save></tool-use>`, xml)[0].args).toEqual(["a.txt"]);
  });

  it("keeps content verbatim: indentation, < and &", () => {
    const code = "    if a < b && c > d:\n        pass";
    expect(parseToolUses(`<tool-use>\n<ipython>\n${code}\n</ipython>\n</tool-use>`, xml)[0].content).toBe(code);
  });

  it("reads several tool uses in order and ignores unknown tags", () => {
    const text = "<tool-use><shell>ls</shell></tool-use> and <tool-use><browser>x</browser></tool-use> <tool-use><py>1</py></tool-use>";
    expect(parseToolUses(text, xml).map((toolUse) => toolUse.tool)).toEqual(["shell", "ipython"]);
  });

  it("reads several elements in one tool-use", () => {
    expect(parseToolUses("<tool-use>\n<shell>ls</shell>\n<shell>pwd</shell>\n</tool-use>", xml).map((toolUse) => toolUse.content)).toEqual([
      "ls",
      "pwd",
    ]);
  });

  it("reads function_calls invokes, with plain content or parameter children", () => {
    const text = [
      "<function_calls>",
      '<invoke name="shell">',
      "echo hi",
      "</invoke>",
      '<invoke name="save">',
      '<parameter name="path">a.txt</parameter>',
      '<parameter name="content">line 1\nline 2</parameter>',
      "</invoke>",
      "</function_calls>",
    ].join("\n");
    expect(parseToolUses(text, xml)).toEqual([
      { tool: "shell", args: [], content: "echo hi" },
      { tool: "save", args: [], content: "", parameters: { path: "a.txt", content: "line 1\nline 2" } },
    ]);
  });

  it("an unclosed wrapper or element is not a tool use", () => {
    expect(parseToolUses("<tool-use>\n<shell>\nls\n</shell>\n", xml)).toEqual([]);
    expect(parseToolUses("<tool-use>\n<shell>\nls\n</tool-use>", xml)).toEqual([]);
  });

  it("locates a tool use up to the end of its closing wrapper tag", () => {
    const text = "Hi <tool-use><shell>ls</shell></tool-use> bye";
    const [located] = locateToolUses(text, xml);
    expect(text.slice(located.start, located.end)).toBe("<tool-use><shell>ls</shell></tool-use>");
  });
});

describe("native tool calls", () => {
  it("reads @tool(call_id): {json} lines with their call id and parameters", () => {
    const text = 'Let me check.\n@shell(call_abc-1): {"command": "ls"}\n@save(toolu_01:x.y): {"path": "a.txt", "content": "{}"}';
    expect(parseToolUses(text, tool)).toEqual([
      { tool: "shell", args: [], content: "", callId: "call_abc-1", parameters: { command: "ls" } },
      { tool: "save", args: [], content: "", callId: "toolu_01:x.y", parameters: { path: "a.txt", content: "{}" } },
    ]);
  });

  it("reads JSON spanning lines, with braces and escaped quotes inside strings", () => {
    const text = '@save(c1): {\n  "path": "a.json",\n  "content": "{\\"a\\": \\"}\\"}"\n}\nafter';
    expect(parseToolUses(text, tool)[0].parameters).toEqual({ path: "a.json", content: '{"a": "}"}' });
  });

  it("skips unfinished or invalid JSON and calls that are not at a line start", () => {
    expect(parseToolUses('@shell(c1): {"command": "ls"', tool)).toEqual([]);
    expect(parseToolUses('@shell(c1): {"command": ls}', tool)).toEqual([]);
    expect(parseToolUses('say @shell(c1): {"command": "ls"}', tool)).toEqual([]);
  });

  it("skips calls quoted in a code block", () => {
    const text = '```text\n@shell(c1): {"command": "rm"}\n```\n@shell(c2): {"command": "ls"}';
    expect(parseToolUses(text, tool).map((toolUse) => toolUse.callId)).toEqual(["c2"]);
  });

  it("orders native calls and markdown blocks by position", () => {
    const text = '```shell\npwd\n```\n@shell(c1): {"command": "ls"}';
    expect(parseToolUses(text, tool).map((toolUse) => toolUse.content || toolUse.callId)).toEqual(["pwd", "c1"]);
  });

  it("is only read in tool format", () => {
    expect(parseToolUses('@shell(c1): {"command": "ls"}', parseOptions("markdown"))).toEqual([]);
  });

  it("scanNativeToolCalls reports positions", () => {
    const text = 'x\n@a.b(1): {"k": 1} tail';
    const [call] = scanNativeToolCalls(text);
    expect(text.slice(call.start, call.end)).toBe('@a.b(1): {"k": 1}');
  });

  it("findJsonObjectEnd", () => {
    expect(findJsonObjectEnd('{"a": {"b": "}"}} x', 0)).toBe(17);
    expect(findJsonObjectEnd('{"a": 1', 0)).toBeUndefined();
  });
});
