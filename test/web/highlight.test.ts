import { describe, expect, it } from "vitest";
import { highlight, languageFor } from "../../web/markdown/highlight.js";

const kinds = (code: string, language: string) => highlight(code, language).filter((token) => token.kind !== "plain");

describe("highlighter", () => {
  it("picks a grammar from a language, a file name or a gptme tool block", () => {
    expect(languageFor("ts")).toBe("javascript");
    expect(languageFor("save src/app.py")).toBe("python");
    expect(languageFor("patch main.go")).toBe("diff");
    expect(languageFor("shell")).toBe("shell");
    expect(languageFor("notes.txt")).toBe("plain");
    expect(languageFor(undefined)).toBe("plain");
  });

  it("tokenizes without losing or reordering text", () => {
    const code = 'def greet(name):\n    # say hi\n    return f"hi {name}" if name else None\n';
    expect(highlight(code, "python").map((token) => token.text).join("")).toBe(code);
    expect(kinds(code, "python")).toEqual([
      { kind: "keyword", text: "def" },
      { kind: "comment", text: "# say hi" },
      { kind: "keyword", text: "return" },
      { kind: "string", text: 'f"hi {name}"' },
      { kind: "keyword", text: "if" },
      { kind: "keyword", text: "else" },
      { kind: "literal", text: "None" },
    ]);
  });

  it("does not match keywords inside longer names", () => {
    expect(kinds("const format = informal;", "javascript")).toEqual([{ kind: "keyword", text: "const" }]);
  });

  it("marks diff additions and deletions, including gptme's patch blocks", () => {
    const unified = kinds("--- a/x\n+++ b/x\n@@ -1 +1 @@\n context\n-old\n+new\n", "diff").map((token) => token.kind);
    expect(unified).toEqual(["meta", "meta", "meta", "deletion", "addition"]);
    const patch = kinds("<<<<<<< ORIGINAL\nold\n=======\nnew\n>>>>>>> UPDATED\n", "diff");
    expect(patch.map((token) => token.kind)).toEqual(["meta", "deletion", "meta", "addition", "meta"]);
  });

  it("handles shell variables and comments", () => {
    expect(kinds('echo "$HOME" # home\n', "shell")).toEqual([
      { kind: "keyword", text: "echo" },
      { kind: "string", text: '"$HOME"' },
      { kind: "comment", text: "# home" },
    ]);
  });
});
