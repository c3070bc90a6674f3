/**
 * Code in replies, highlighted in the terminal with the web UI's grammar set (highlight.js, see
 * syntax/). highlight.js and each grammar are required the first time a block needs them, so
 * `gptme --version` never loads them. Lines arrive one at a time while a reply streams, so each is
 * highlighted with the block's preceding lines as context (multi-line strings and comments), up to
 * a window that keeps long blocks linear. It never changes the text, only wraps parts in styles.
 */
import { createRequire } from "node:module";
import type { HLJSApi, LanguageFn } from "highlight.js";
import { createDiffClassifier, type DiffLineKind } from "../../../syntax/diff.js";
import { type GrammarName, languageOf as grammarOf } from "../../../syntax/languages.js";
import { createHighlighter, flattenTokens, highlightTree, type TokenKind } from "../../../syntax/tokens.js";
import type { StyleName, Styles } from "./styles.js";

const require = createRequire(import.meta.url);
const contextLines = 60;

/** One fenced block being highlighted: its grammar and the lines seen so far. */
export interface CodeLanguage {
  grammar: GrammarName | null;
  /** A diff, or gptme's `patch` block with its ORIGINAL/UPDATED markers. */
  diff: boolean;
  previous: string[];
  classifyDiff: (line: string) => DiffLineKind;
}

/** The language of a fence's info string (`python`, `save path/to/file.rs`, `patch a.go`), ready for its lines. */
export function languageOf(infoString: string): CodeLanguage {
  const { grammar, diff } = grammarOf(infoString);
  return { grammar, diff, previous: [], classifyDiff: createDiffClassifier() };
}

const colours: Record<TokenKind, StyleName> = {
  keyword: "magenta",
  string: "green",
  comment: "gray",
  number: "yellow",
  literal: "cyan",
  type: "cyan",
  title: "blue",
  variable: "red",
  attribute: "yellow",
  meta: "gray",
  tag: "red",
  addition: "green",
  deletion: "red",
};

let highlighter: HLJSApi | null = null;
const unavailable = new Set<string>();

/** The shared highlighter with `grammar` registered, or null if it cannot be loaded. */
function highlighterFor(grammar: GrammarName): HLJSApi | null {
  if (unavailable.has(grammar)) return null;
  try {
    highlighter ??= createHighlighter(require("highlight.js/lib/core") as HLJSApi);
    if (!highlighter.getLanguage(grammar)) {
      highlighter.registerLanguage(grammar, require(`highlight.js/lib/languages/${grammar}`) as LanguageFn);
    }
    return highlighter;
  } catch {
    unavailable.add(grammar);
    return null;
  }
}

function codeLine(line: string, language: CodeLanguage, styles: Styles): string {
  const grammar = language.grammar;
  const context = language.previous.slice(-contextLines);
  language.previous.push(line);
  if (!grammar || line.trim() === "") return line;
  const instance = highlighterFor(grammar);
  const tree = instance && highlightTree(instance, [...context, line].join("\n"), grammar);
  if (!tree) return line;
  const start = context.reduce((length, text) => length + text.length + 1, 0);
  let offset = 0;
  let result = "";
  for (const token of flattenTokens(tree)) {
    const end = offset + token.text.length;
    if (end > start) {
      const text = token.text.slice(Math.max(0, start - offset));
      result += token.kind ? styles.apply(colours[token.kind], text) : text;
    }
    offset = end;
  }
  return result;
}

export function highlightLine(line: string, language: CodeLanguage, styles: Styles): string {
  if (!styles.enabled || line === "") {
    if (language.diff) language.classifyDiff(line);
    else language.previous.push(line);
    return line;
  }
  if (language.diff) return diffStyle(language.classifyDiff(line), line, styles);
  return codeLine(line, language, styles);
}

function diffStyle(kind: DiffLineKind, line: string, styles: Styles): string {
  if (kind === "addition") return styles.apply("green", line);
  if (kind === "deletion") return styles.apply("red", line);
  if (kind === "meta") return styles.apply(/^(<<<<<<<|=======|>>>>>>>)/.test(line) ? "yellow" : line.startsWith("@@") ? "cyan" : "bold", line);
  return line;
}

/** One line of a unified diff (tool previews). */
export function diffLine(line: string, styles: Styles): string {
  return diffStyle(createDiffClassifier()(line), line, styles);
}
