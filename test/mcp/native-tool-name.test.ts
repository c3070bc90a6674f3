/** Function names for native tool calls: valid names unchanged, gptme's dotted MCP names mapped the same way everywhere. */
import { describe, expect, it } from "vitest";
import { nativeToolName } from "../../runtime/models/native-tool-name.js";

const valid = /^[a-zA-Z0-9_-]{1,64}$/;

describe("nativeToolName", () => {
  it("keeps names providers accept", () => {
    for (const name of ["shell", "save", "mcp", "get-sum", "a_b"]) expect(nativeToolName(name)).toBe(name);
  });

  it("maps the dot of <server>.<tool> and any other character outside the set", () => {
    expect(nativeToolName("everything.echo")).toBe("everything__echo");
    expect(nativeToolName("chrome-devtools.take_snapshot")).toBe("chrome-devtools__take_snapshot");
    expect(nativeToolName("files.read/file")).toBe("files__read_file");
  });

  it("cuts long names to 64 characters, keeping distinct names distinct", () => {
    const first = nativeToolName(`server.${"x".repeat(80)}1`);
    const second = nativeToolName(`server.${"x".repeat(80)}2`);
    expect(first).toMatch(valid);
    expect(second).toMatch(valid);
    expect(first).not.toBe(second);
    expect(nativeToolName(`server.${"x".repeat(80)}1`)).toBe(first);
  });
});
