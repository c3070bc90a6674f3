import { describe, expect, it } from "vitest";
import { drawTokens } from "../../web/components/CodeBlock.js";
import { highlightCode, isLoaded, loadGrammar } from "../../web/markdown/highlight.js";
import { diffLines } from "../../syntax/diff.js";
import { commonGrammars, languageOf, otherGrammars, type GrammarName } from "../../syntax/languages.js";
import { flattenTokens, kindOf, type SyntaxNode } from "../../syntax/tokens.js";
import { toHtml } from "./support/vnode-to-html.js";

const styled = (code: string, grammar: GrammarName) =>
  flattenTokens(highlightCode(code, grammar)!).filter((token) => token.kind !== null);
const textOf = (nodes: SyntaxNode[]) => flattenTokens(nodes).map((token) => token.text).join("");

describe("syntax: one grammar set for the web UI and the CLI", () => {
  it("picks a grammar from a language, a file name or a gptme tool block", () => {
    expect(languageOf("ts")).toEqual({ grammar: "typescript", diff: false });
    expect(languageOf("save src/app.py")).toEqual({ grammar: "python", diff: false });
    expect(languageOf("patch main.go")).toEqual({ grammar: "go", diff: true });
    expect(languageOf("diff")).toEqual({ grammar: "diff", diff: true });
    expect(languageOf("shell").grammar).toBe("bash");
    expect(languageOf("Dockerfile").grammar).toBe("dockerfile");
    expect(languageOf("append deploy/Makefile").grammar).toBe("makefile");
    expect(languageOf("notes.txt").grammar).toBe("plaintext");
    expect(languageOf("unknown-thing").grammar).toBeNull();
    expect(languageOf(undefined).grammar).toBeNull();
  });

  it("tokenizes without losing or reordering text", () => {
    const code = 'def greet(name):\n    # say hi\n    return f"hi {name}" if name else None\n';
    expect(textOf(highlightCode(code, "python")!)).toBe(code);
    const tokens = styled(code, "python");
    expect(tokens).toContainEqual({ kind: "keyword", text: "def" });
    expect(tokens).toContainEqual({ kind: "comment", text: "# say hi" });
    expect(tokens).toContainEqual({ kind: "literal", text: "None" });
    expect(tokens.some((token) => token.kind === "string" && token.text.startsWith('f"hi '))).toBe(true);
  });

  it("highlights Rust, Java, C, SQL and YAML from the first bundle", () => {
    for (const grammar of ["rust", "java", "c", "sql", "yaml", "go", "cpp", "typescript", "bash"] as const) {
      expect(commonGrammars).toContain(grammar);
      expect(isLoaded(grammar), grammar).toBe(true);
    }
    expect(styled("fn main() { let x = 1; }", "rust")).toContainEqual({ kind: "keyword", text: "fn" });
    expect(styled('public class A { String s = "hi"; }', "java")).toContainEqual({ kind: "string", text: '"hi"' });
    expect(styled("int main(void) { return 0; } // done", "c")).toContainEqual({ kind: "comment", text: "// done" });
    expect(styled("SELECT name FROM users WHERE id = 42;", "sql")).toContainEqual({ kind: "keyword", text: "SELECT" });
    expect(styled("name: build # the job", "yaml")).toContainEqual({ kind: "comment", text: "# the job" });
  });

  it("loads the other grammars on demand, each once", async () => {
    expect(isLoaded("kotlin")).toBe(false);
    expect(highlightCode("val x = 1", "kotlin")).toBeNull();
    const loading = loadGrammar("kotlin");
    expect(loadGrammar("kotlin")).toBe(loading);
    expect(await loading).toBe(true);
    expect(styled('val greeting = "hello"', "kotlin")).toContainEqual({ kind: "string", text: '"hello"' });
  });

  it("has a loader for every grammar outside the first bundle, and only those", async () => {
    const source = await import("node:fs").then((fs) => fs.readFileSync(new URL("../../web/markdown/highlight.ts", import.meta.url), "utf8"));
    const loaders = [...source.matchAll(/^\s+([\w-]+): \(\) => import\("highlight\.js\/lib\/languages\/([\w-]+)"\)/gm)];
    expect(loaders.map((match) => match[1])).toEqual([...otherGrammars]);
    expect(loaders.every((match) => match[1] === match[2])).toBe(true);
    const imported = [...source.matchAll(/^import \w+ from "highlight\.js\/lib\/languages\/([\w-]+)";/gm)].map((match) => match[1]);
    expect(imported).toEqual([...commonGrammars]);
  });

  it("maps highlight.js scopes to the few styles both front ends draw", () => {
    expect(kindOf("title.function.invoke")).toBe("title");
    expect(kindOf("meta keyword")).toBe(null);
    expect(kindOf("keyword")).toBe("keyword");
    expect(kindOf("punctuation")).toBeNull();
  });

  it("classifies diff lines, including gptme's patch blocks", () => {
    const unified = diffLines("--- a/x\n+++ b/x\n@@ -1 +1 @@\n context\n-old\n+new\n").map((line) => line.kind);
    expect(unified).toEqual(["meta", "meta", "meta", "context", "deletion", "addition"]);
    const patch = diffLines("<<<<<<< ORIGINAL\nold\n=======\nnew\n>>>>>>> UPDATED\n").map((line) => line.kind);
    expect(patch).toEqual(["meta", "deletion", "meta", "addition", "meta"]);
  });

  it("draws tokens as elements with text children: markup in code stays text", () => {
    const html = toHtml(drawTokens(highlightCode('const s = "<img src=x onerror=alert(1)>";', "javascript")!));
    expect(html).toContain('<span class="token-keyword">const</span>');
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).not.toContain("<img");
  });
});
