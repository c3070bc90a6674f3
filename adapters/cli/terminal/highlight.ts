/**
 * A small line-by-line syntax highlighter for fenced code in replies: keywords, strings, numbers
 * and comments for the languages agents write most, diffs, and gptme's patch markers. It never
 * changes the text, only wraps parts of it in styles.
 */
import type { StyleName, Styles } from "./styles.js";

type Family = "python" | "javascript" | "shell" | "clike" | "rust" | "go" | "config" | "diff" | "plain";

export interface CodeLanguage {
  family: Family;
  /** gptme `patch` blocks: conflict-style markers around two versions of the code. */
  patchMarkers: boolean;
}

const keywords: Partial<Record<Family, Set<string>>> = {
  python: words(
    "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case self print",
  ),
  javascript: words(
    "await break case catch class const continue debugger default delete do else export extends false finally for from function if import in instanceof let new null of return static super switch this throw true try typeof undefined var void while with yield async interface type enum implements readonly as",
  ),
  shell: words("if then else elif fi for while until do done case esac function in return local export echo cd exit source set unset alias"),
  clike: words(
    "auto break case char const continue default do double else enum extern float for goto if int long register return short signed sizeof static struct switch typedef union unsigned void volatile while class public private protected new delete this true false null bool namespace using template import package final",
  ),
  rust: words("as async await break const continue crate else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type unsafe use where while dyn"),
  go: words("break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var nil true false"),
  config: words("true false null"),
};

function words(text: string): Set<string> {
  return new Set(text.split(" "));
}

const extensions: Record<string, Family> = {
  py: "python", pyi: "python",
  js: "javascript", mjs: "javascript", cjs: "javascript", jsx: "javascript", ts: "javascript", tsx: "javascript", json: "javascript",
  sh: "shell", bash: "shell", zsh: "shell",
  c: "clike", h: "clike", cpp: "clike", hpp: "clike", cc: "clike", java: "clike", kt: "clike", cs: "clike", swift: "clike",
  rs: "rust", go: "go",
  toml: "config", yaml: "config", yml: "config", ini: "config", cfg: "config", env: "config",
  diff: "diff", patch: "diff",
};

const names: Record<string, Family> = {
  python: "python", py: "python", ipython: "python", python3: "python",
  javascript: "javascript", typescript: "javascript", js: "javascript", ts: "javascript", json: "javascript", jsx: "javascript", tsx: "javascript",
  shell: "shell", bash: "shell", sh: "shell", zsh: "shell", console: "shell", tmux: "shell",
  c: "clike", cpp: "clike", "c++": "clike", java: "clike", kotlin: "clike", csharp: "clike",
  rust: "rust", go: "go", toml: "config", yaml: "config", yml: "config", ini: "config",
  diff: "diff", udiff: "diff",
};

/** The language of a fence's info string: `python`, or a tool's `save path/to/file.py`. */
export function languageOf(infoString: string): CodeLanguage {
  const [first = "", second = ""] = infoString.trim().split(/\s+/);
  const fileTool = ["save", "append", "patch", "read"].includes(first);
  const subject = fileTool ? second : first;
  const extension = subject.includes(".") ? subject.slice(subject.lastIndexOf(".") + 1).toLowerCase() : "";
  const family = (fileTool ? extensions[extension] : (names[first.toLowerCase()] ?? extensions[extension])) ?? "plain";
  return { family, patchMarkers: first === "patch" };
}

const commentStart: Partial<Record<Family, string>> = {
  python: String.raw`(?<![\w$])#.*$`,
  shell: String.raw`(?<=^|\s)#.*$`,
  config: String.raw`(?<=^|\s)[#;].*$`,
  javascript: String.raw`\/\/.*$`,
  clike: String.raw`\/\/.*$`,
  rust: String.raw`\/\/.*$`,
  go: String.raw`\/\/.*$`,
};

const strings = String.raw`"(?:\\.|[^"\\])*"?|'(?:\\.|[^'\\])*'?|\`(?:\\.|[^\`\\])*\`?`;
const numbers = String.raw`\b\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?\b|\b0x[\da-fA-F]+\b`;
const identifiers = String.raw`[A-Za-z_$][\w$]*`;

const patterns = new Map<Family, RegExp>();

function patternFor(family: Family): RegExp {
  let pattern = patterns.get(family);
  if (!pattern) {
    const comment = commentStart[family] ?? "(?!)";
    pattern = new RegExp(`(${comment})|(${strings})|(${numbers})|(${identifiers})`, "g");
    patterns.set(family, pattern);
  }
  return pattern;
}

export function highlightLine(line: string, language: CodeLanguage, styles: Styles): string {
  if (!styles.enabled || line === "") return line;
  if (language.patchMarkers && /^(<<<<<<< |=======$|>>>>>>> )/.test(line)) return styles.apply("yellow", line);
  if (language.family === "diff") return diffLine(line, styles);
  if (language.family === "plain") return line;
  const known = keywords[language.family];
  let result = "";
  let last = 0;
  for (const match of line.matchAll(patternFor(language.family))) {
    const [text, comment, string, number, identifier] = match;
    let style: StyleName | null = null;
    if (comment) style = "gray";
    else if (string) style = "green";
    else if (number) style = "yellow";
    else if (identifier && known?.has(identifier)) style = "magenta";
    if (!style) continue;
    result += line.slice(last, match.index) + styles.apply(style, text);
    last = match.index + text.length;
  }
  return result + line.slice(last);
}

export function diffLine(line: string, styles: Styles): string {
  if (line.startsWith("+++") || line.startsWith("---")) return styles.apply("bold", line);
  if (line.startsWith("@@")) return styles.apply("cyan", line);
  if (line.startsWith("+")) return styles.apply("green", line);
  if (line.startsWith("-")) return styles.apply("red", line);
  return line;
}
