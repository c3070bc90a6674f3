/**
 * A small regex highlighter for the languages an agent writes most (shell, Python, JS/TS, JSON, diffs).
 * It produces tokens, not HTML, so the caller renders them as text nodes.
 */

export type TokenKind = "plain" | "keyword" | "string" | "comment" | "number" | "literal" | "variable" | "meta" | "tag" | "addition" | "deletion";

export interface HighlightToken {
  kind: TokenKind;
  text: string;
}

type Rule = [TokenKind, RegExp];

const words = (list: string) => new RegExp(`\\b(?:${list.split(" ").join("|")})\\b`, "y");
const number: Rule = ["number", /\b(?:0x[\da-f]+|\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?)\b/iy];
const doubleQuoted: Rule = ["string", /"(?:[^"\\\n]|\\.)*"?/y];
const singleQuoted: Rule = ["string", /'(?:[^'\\\n]|\\.)*'?/y];
const hashComment: Rule = ["comment", /#.*/y];
const slashComments: Rule = ["comment", /\/\/.*|\/\*[\s\S]*?(?:\*\/|$)/y];

const grammars: Record<string, Rule[]> = {
  javascript: [
    slashComments,
    ["string", /`(?:[^`\\]|\\.)*`?/y],
    doubleQuoted,
    singleQuoted,
    ["keyword", words("async await break case catch class const continue default delete do else enum export extends finally for from function if implements import in instanceof interface let new of private protected public readonly return static super switch this throw try type typeof var void while with yield as")],
    ["literal", words("true false null undefined NaN Infinity")],
    number,
  ],
  python: [
    hashComment,
    ["string", /[rbuf]{0,2}(?:"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$))/iy],
    ["string", /[rbuf]{0,2}(?:"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)/iy],
    ["meta", /@[\w.]+/y],
    ["keyword", words("and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case")],
    ["literal", words("True False None self")],
    number,
  ],
  shell: [
    ["comment", /(?:^|(?<=\s))#.*/my],
    doubleQuoted,
    singleQuoted,
    ["variable", /\$(?:\{[^}\n]*\}?|\w+|[@*#?$!0-9-])/y],
    ["keyword", words("if then else elif fi for while until do done case esac in function return export local readonly set unset source cd echo exit sudo")],
    number,
  ],
  json: [
    ["keyword", /"(?:[^"\\\n]|\\.)*"(?=\s*:)/y],
    doubleQuoted,
    ["literal", words("true false null")],
    number,
  ],
  css: [
    ["comment", /\/\*[\s\S]*?(?:\*\/|$)/y],
    doubleQuoted,
    singleQuoted,
    ["keyword", /[a-z-]+(?=\s*:)/iy],
    ["meta", /@[a-z-]+/iy],
    ["number", /#[\da-f]{3,8}\b|\b\d+(?:\.\d+)?(?:px|em|rem|%|vh|vw|s|ms)?\b/iy],
  ],
  markup: [
    ["comment", /<!--[\s\S]*?(?:-->|$)/y],
    ["tag", /<\/?[a-z][\w:-]*|\/?>/iy],
    ["keyword", /\b[a-z-:]+(?==)/iy],
    doubleQuoted,
    singleQuoted,
  ],
  clike: [
    slashComments,
    hashComment,
    doubleQuoted,
    singleQuoted,
    ["keyword", words("fn let mut pub use mod impl struct enum trait match func package import var const type return if else for while loop break continue switch case default class public private static void int float double char bool string select from where insert update delete create table and or not null true false nil")],
    number,
  ],
  yaml: [
    hashComment,
    ["keyword", /[\w.-]+(?=\s*[:=]\s)/y],
    ["meta", /\[[^\]\n]*\]/y],
    doubleQuoted,
    singleQuoted,
    ["literal", words("true false null yes no")],
    number,
  ],
};

const aliases: Record<string, string> = {
  js: "javascript", jsx: "javascript", ts: "javascript", tsx: "javascript", mjs: "javascript", cjs: "javascript", typescript: "javascript", javascript: "javascript",
  py: "python", python: "python", ipython: "python", python3: "python",
  sh: "shell", bash: "shell", zsh: "shell", shell: "shell", console: "shell", tmux: "shell",
  json: "json", jsonl: "json",
  css: "css", scss: "css",
  html: "markup", xml: "markup", svg: "markup", vue: "markup",
  rs: "clike", rust: "clike", go: "clike", c: "clike", h: "clike", cpp: "clike", java: "clike", kt: "clike", sql: "clike", swift: "clike", cs: "clike",
  yaml: "yaml", yml: "yaml", toml: "yaml", ini: "yaml",
  diff: "diff", patch: "diff",
};

const fileTools = new Set(["save", "append", "write", "read", "cat"]);

/**
 * The grammar for a fenced block's info string: a language (`ts`), a file name (`src/a.py`), or a gptme
 * tool block (`save src/a.py`, `patch a.py`, `shell`).
 */
export function languageFor(info: string | undefined): string {
  const [first = "", second = ""] = (info ?? "").trim().split(/\s+/);
  const head = first.toLowerCase();
  if (aliases[head]) return aliases[head];
  const path = fileTools.has(head) ? second : head;
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (extension && aliases[extension]) || "plain";
}

function push(tokens: HighlightToken[], kind: TokenKind, text: string): void {
  const last = tokens[tokens.length - 1];
  if (last && last.kind === kind) last.text += text;
  else tokens.push({ kind, text });
}

/** Unified diffs and gptme's ORIGINAL/UPDATED patch blocks: one token per line, so each renders as a row. */
function highlightDiff(code: string): HighlightToken[] {
  const tokens: HighlightToken[] = [];
  let section: TokenKind = "plain";
  for (const line of code.split(/(?<=\n)/)) {
    let kind: TokenKind = section;
    if (/^<<<<<<< /.test(line)) { section = "deletion"; kind = "meta"; }
    else if (/^=======\s*$/.test(line) && section === "deletion") { section = "addition"; kind = "meta"; }
    else if (/^>>>>>>> /.test(line)) { section = "plain"; kind = "meta"; }
    else if (section === "plain") {
      if (/^(?:\+\+\+|---) /.test(line) || line.startsWith("@@")) kind = "meta";
      else if (line.startsWith("+")) kind = "addition";
      else if (line.startsWith("-")) kind = "deletion";
    }
    tokens.push({ kind, text: line });
  }
  return tokens;
}

export function highlight(code: string, language: string): HighlightToken[] {
  if (language === "diff") return highlightDiff(code);
  const rules = grammars[language];
  if (!rules) return code ? [{ kind: "plain", text: code }] : [];
  const tokens: HighlightToken[] = [];
  let position = 0;
  outer: while (position < code.length) {
    for (const [kind, pattern] of rules) {
      pattern.lastIndex = position;
      const match = pattern.exec(code);
      if (match && match[0].length > 0) {
        push(tokens, kind, match[0]);
        position += match[0].length;
        continue outer;
      }
    }
    // Consume a whole identifier at once so keywords never match inside longer names.
    const word = /[\w$]+|[^\w$]/y;
    word.lastIndex = position;
    const plain = word.exec(code)![0];
    push(tokens, "plain", plain);
    position += plain.length;
  }
  return tokens;
}
