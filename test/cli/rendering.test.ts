/** Terminal rendering: streamed markdown, code highlighting, and plain text when colour is off. */
import { describe, expect, it } from "vitest";
import { highlightLine, languageOf } from "../../adapters/cli/terminal/highlight.js";
import { MarkdownStream, renderMarkdown } from "../../adapters/cli/terminal/markdown-stream.js";
import { colorWanted, createStyles, type StyleName } from "../../adapters/cli/terminal/styles.js";

const colour = createStyles(true);
const plain = createStyles(false);
// eslint-disable-next-line no-control-regex
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "");

const reply = "# Plan\nI'll use `save` and **bold** words.\n```save hello.py\nprint('hi')  # greet\nx = 42\n```\nDone *really*.\n";

function streamed(text: string, chunkSize: number, styles = colour): string {
  let output = "";
  const stream = new MarkdownStream((chunk) => (output += chunk), styles);
  for (let index = 0; index < text.length; index += chunkSize) stream.push(text.slice(index, index + chunkSize));
  stream.end();
  return output;
}

/** The same reply as a markdown viewer lays it out: a blank line around the code block. */
const spaced = "# Plan\nI'll use `save` and **bold** words.\n\n```save hello.py\nprint('hi')  # greet\nx = 42\n```\n\nDone *really*.\n";

describe("MarkdownStream", () => {
  it("changes no character of the text, only adds styles and the blank lines around code blocks", () => {
    expect(stripAnsi(renderMarkdown(spaced, colour))).toBe(spaced);
    expect(stripAnsi(renderMarkdown(reply, colour))).toBe(spaced);
  });

  it("keeps code apart from the text around it, however the stream is cut, and adds no blank line twice", () => {
    for (const size of [1, 2, 5, 50]) {
      expect(stripAnsi(streamed("Listing them:\n```shell\nls\n```\n", size))).toBe("Listing them:\n\n```shell\nls\n```\n");
      expect(stripAnsi(streamed("```shell\nls\n```\n```shell\npwd\n```\nThen this.", size))).toBe("```shell\nls\n```\n\n```shell\npwd\n```\n\nThen this.");
      expect(stripAnsi(streamed("Text.\n\n```shell\nls\n```\n\nMore.\n", size))).toBe("Text.\n\n```shell\nls\n```\n\nMore.\n");
    }
  });

  it("renders the same whatever the chunk boundaries", () => {
    const whole = renderMarkdown(reply, colour);
    for (const size of [1, 2, 3, 7, 50]) expect(streamed(reply, size)).toBe(whole);
  });

  it("passes text through untouched when colour is off", () => {
    expect(streamed(reply, 3, plain)).toBe(reply);
  });

  it("styles headings, inline code, bold and highlighted code", () => {
    const output = renderMarkdown(reply, colour);
    expect(output).toContain(colour.apply("bold", "# Plan"));
    expect(output).toContain(`${colour.open("cyan")}\`save\`${colour.close("cyan")}`);
    expect(output).toContain(`${colour.open("bold")}**bold**${colour.close("bold")}`);
    expect(output).toContain(colour.apply("green", "'hi'"));
    expect(output).toContain(colour.apply("gray", "# greet"));
    expect(output).toContain(colour.apply("yellow", "42"));
  });

  it("writes plain lines as they stream, before their newline arrives", () => {
    let output = "";
    const stream = new MarkdownStream((chunk) => (output += chunk), colour);
    stream.push("Hello wor");
    expect(stripAnsi(output)).toBe("Hello wor");
    stream.push("ld\n```py");
    expect(stripAnsi(output)).toBe("Hello world\n");
  });
});

describe("highlight", () => {
  it("finds the language of a tool block from its path", () => {
    expect(languageOf("save src/app.ts").grammar).toBe("typescript");
    expect(languageOf("patch main.py")).toMatchObject({ grammar: "python", diff: true });
    expect(languageOf("shell").grammar).toBe("bash");
    expect(languageOf("stdout").grammar).toBe("plaintext");
  });

  it("colours diffs and gptme's patch markers", () => {
    expect(highlightLine("+added", languageOf("diff"), colour)).toBe(colour.apply("green", "+added"));
    const patch = languageOf("patch a.py");
    expect(highlightLine("<<<<<<< ORIGINAL", patch, colour)).toBe(colour.apply("yellow", "<<<<<<< ORIGINAL"));
    expect(highlightLine("old = 1", patch, colour)).toBe(colour.apply("red", "old = 1"));
    expect(highlightLine("=======", patch, colour)).toBe(colour.apply("yellow", "======="));
    expect(highlightLine("new = 2", patch, colour)).toBe(colour.apply("green", "new = 2"));
  });

  const highlighted = (info: string, code: string) => renderMarkdown(`\`\`\`${info}\n${code}\n\`\`\`\n`, colour);

  it("highlights the languages agents write beyond the old handful: Rust, Java, C, SQL, YAML, Go, Kotlin", () => {
    const cases: Array<[string, string, string, StyleName]> = [
      ["rust", 'fn main() { let name = "x"; }', "fn", "magenta"],
      ["java", 'public class A { String s = "hi"; }', "public", "magenta"],
      ["c", "int main(void) { return 0; } // done", "// done", "gray"],
      ["sql", "SELECT name FROM users WHERE id = 42;", "SELECT", "magenta"],
      ["yaml", "name: build\nruns-on: ubuntu-latest # the runner", "# the runner", "gray"],
      ["go", 'package main\nfunc main() { fmt.Println("hi") }', '"hi"', "green"],
      ["kotlin", 'val greeting = "hello"', '"hello"', "green"],
      ["save src/lib.rs", "pub struct Point { x: i32 }", "struct", "magenta"],
    ];
    for (const [info, code, token, style] of cases) {
      const output = highlighted(info, code);
      expect(stripAnsi(output)).toBe(`\`\`\`${info}\n${code}\n\`\`\`\n`);
      expect(output, `${info}: ${token}`).toContain(colour.apply(style, token));
    }
  });

  it("keeps a multi-line string or comment's style on its later lines", () => {
    const output = highlighted("python", 'text = """first\nsecond line\n"""');
    expect(output).toContain(colour.apply("green", "second line"));
  });
});

describe("colorWanted", () => {
  it("follows NO_COLOR and whether output is a terminal", () => {
    expect(colorWanted({ isTTY: true }, {})).toBe(true);
    expect(colorWanted({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colorWanted({ isTTY: false }, {})).toBe(false);
  });
});
