/**
 * Syntax highlighting in the browser: highlight.js with the common grammars in the first bundle and
 * the others fetched (as their own chunks) the first time a block needs one. Code becomes a token
 * tree (syntax/tokens.ts) that CodeBlock draws as Preact nodes: never an HTML string.
 */
import core from "highlight.js/lib/core";
import type { LanguageFn } from "highlight.js";
import bash from "highlight.js/lib/languages/bash";
import cLanguage from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import ini from "highlight.js/lib/languages/ini";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdown from "highlight.js/lib/languages/markdown";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import { type GrammarName, commonGrammars } from "../../syntax/languages.js";
import { createHighlighter, highlightTree, type SyntaxNode } from "../../syntax/tokens.js";

const highlighter = createHighlighter(core);
const common: Record<(typeof commonGrammars)[number], LanguageFn> = { bash, c: cLanguage, cpp, css, diff, go, ini, java, javascript, json, markdown, python, rust, sql, typescript, xml, yaml };
for (const [name, grammar] of Object.entries(common)) highlighter.registerLanguage(name, grammar);

/** Every other grammar of the set, each its own chunk (esbuild needs the paths written out). */
const loaders: Partial<Record<GrammarName, () => Promise<{ default: LanguageFn }>>> = {
  apache: () => import("highlight.js/lib/languages/apache"),
  awk: () => import("highlight.js/lib/languages/awk"),
  clojure: () => import("highlight.js/lib/languages/clojure"),
  cmake: () => import("highlight.js/lib/languages/cmake"),
  coffeescript: () => import("highlight.js/lib/languages/coffeescript"),
  crystal: () => import("highlight.js/lib/languages/crystal"),
  csharp: () => import("highlight.js/lib/languages/csharp"),
  d: () => import("highlight.js/lib/languages/d"),
  dart: () => import("highlight.js/lib/languages/dart"),
  django: () => import("highlight.js/lib/languages/django"),
  dockerfile: () => import("highlight.js/lib/languages/dockerfile"),
  dos: () => import("highlight.js/lib/languages/dos"),
  elixir: () => import("highlight.js/lib/languages/elixir"),
  elm: () => import("highlight.js/lib/languages/elm"),
  erlang: () => import("highlight.js/lib/languages/erlang"),
  fortran: () => import("highlight.js/lib/languages/fortran"),
  fsharp: () => import("highlight.js/lib/languages/fsharp"),
  graphql: () => import("highlight.js/lib/languages/graphql"),
  gradle: () => import("highlight.js/lib/languages/gradle"),
  groovy: () => import("highlight.js/lib/languages/groovy"),
  handlebars: () => import("highlight.js/lib/languages/handlebars"),
  haskell: () => import("highlight.js/lib/languages/haskell"),
  http: () => import("highlight.js/lib/languages/http"),
  julia: () => import("highlight.js/lib/languages/julia"),
  kotlin: () => import("highlight.js/lib/languages/kotlin"),
  latex: () => import("highlight.js/lib/languages/latex"),
  less: () => import("highlight.js/lib/languages/less"),
  lisp: () => import("highlight.js/lib/languages/lisp"),
  lua: () => import("highlight.js/lib/languages/lua"),
  makefile: () => import("highlight.js/lib/languages/makefile"),
  matlab: () => import("highlight.js/lib/languages/matlab"),
  nginx: () => import("highlight.js/lib/languages/nginx"),
  nim: () => import("highlight.js/lib/languages/nim"),
  nix: () => import("highlight.js/lib/languages/nix"),
  objectivec: () => import("highlight.js/lib/languages/objectivec"),
  ocaml: () => import("highlight.js/lib/languages/ocaml"),
  perl: () => import("highlight.js/lib/languages/perl"),
  pgsql: () => import("highlight.js/lib/languages/pgsql"),
  php: () => import("highlight.js/lib/languages/php"),
  plaintext: () => import("highlight.js/lib/languages/plaintext"),
  powershell: () => import("highlight.js/lib/languages/powershell"),
  prolog: () => import("highlight.js/lib/languages/prolog"),
  properties: () => import("highlight.js/lib/languages/properties"),
  protobuf: () => import("highlight.js/lib/languages/protobuf"),
  r: () => import("highlight.js/lib/languages/r"),
  ruby: () => import("highlight.js/lib/languages/ruby"),
  scala: () => import("highlight.js/lib/languages/scala"),
  scheme: () => import("highlight.js/lib/languages/scheme"),
  scss: () => import("highlight.js/lib/languages/scss"),
  swift: () => import("highlight.js/lib/languages/swift"),
  tcl: () => import("highlight.js/lib/languages/tcl"),
  vbnet: () => import("highlight.js/lib/languages/vbnet"),
  vim: () => import("highlight.js/lib/languages/vim"),
  wasm: () => import("highlight.js/lib/languages/wasm"),
  x86asm: () => import("highlight.js/lib/languages/x86asm"),
};

const loading = new Map<GrammarName, Promise<boolean>>();

/** The token tree of `code`, or null while its grammar is not loaded (plain text until then). */
export function highlightCode(code: string, grammar: GrammarName): SyntaxNode[] | null {
  return highlightTree(highlighter, code, grammar);
}

export function isLoaded(grammar: GrammarName): boolean {
  return highlighter.getLanguage(grammar) !== undefined;
}

/** Loads a grammar once; resolves false when it cannot be loaded (the block stays plain). */
export function loadGrammar(grammar: GrammarName): Promise<boolean> {
  if (isLoaded(grammar)) return Promise.resolve(true);
  let pending = loading.get(grammar);
  if (!pending) {
    const load = loaders[grammar];
    pending = load
      ? load().then(
          (module) => {
            highlighter.registerLanguage(grammar, module.default);
            return true;
          },
          () => false,
        )
      : Promise.resolve(false);
    loading.set(grammar, pending);
  }
  return pending;
}
