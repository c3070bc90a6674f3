import { describe, expect, it } from "vitest";
import { parseToolCallLines, withoutToolCallLines } from "../../runtime/models/tool-call-lines.js";

describe("tool-call lines", () => {
  it("finds gptme's @tool(call_id): {json} lines and removes them from the text", () => {
    const content = 'I will look.\n@shell(call_abc-1): {"command": "ls"}\n@save(toolu_01:x.y): {"path": "a.txt", "content": "hi"}';
    const calls = parseToolCallLines(content);
    expect(calls.map(({ name, id, arguments: json }) => ({ name, id, json }))).toEqual([
      { name: "shell", id: "call_abc-1", json: '{"command": "ls"}' },
      { name: "save", id: "toolu_01:x.y", json: '{"path": "a.txt", "content": "hi"}' },
    ]);
    expect(withoutToolCallLines(content, calls)).toBe("I will look.");
  });

  it("reads arguments that continue on the following lines", () => {
    const content = '@patch(call_1): {\n  "path": "a.ts",\n  "patch": "x"\n}\nafter';
    const [call] = parseToolCallLines(content);
    expect(JSON.parse(call.arguments)).toEqual({ path: "a.ts", patch: "x" });
    expect(withoutToolCallLines(content, [call])).toBe("after");
  });

  it("ignores lines that only look like calls", () => {
    expect(parseToolCallLines("@shell(call_1): not json\n  @shell(call_2): {}\n@shell(call 3): {}")).toEqual([]);
    expect(parseToolCallLines('@shell(call_1): ["an", "array"]')).toEqual([]);
  });
});
