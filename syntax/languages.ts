/**
 * The one grammar set both the web UI and the CLI highlight with: highlight.js grammars, named by
 * their module (`highlight.js/lib/languages/<name>`), and how a fence's info string picks one.
 * `common` grammars are what the web UI loads up front; the rest load when a block needs them.
 */

export const commonGrammars = [
  "bash",
  "c",
  "cpp",
  "css",
  "diff",
  "go",
  "ini",
  "java",
  "javascript",
  "json",
  "markdown",
  "python",
  "rust",
  "sql",
  "typescript",
  "xml",
  "yaml",
] as const;

export const otherGrammars = [
  "apache",
  "awk",
  "clojure",
  "cmake",
  "coffeescript",
  "crystal",
  "csharp",
  "d",
  "dart",
  "django",
  "dockerfile",
  "dos",
  "elixir",
  "elm",
  "erlang",
  "fortran",
  "fsharp",
  "graphql",
  "gradle",
  "groovy",
  "handlebars",
  "haskell",
  "http",
  "julia",
  "kotlin",
  "latex",
  "less",
  "lisp",
  "lua",
  "makefile",
  "matlab",
  "nginx",
  "nim",
  "nix",
  "objectivec",
  "ocaml",
  "perl",
  "pgsql",
  "php",
  "plaintext",
  "powershell",
  "prolog",
  "properties",
  "protobuf",
  "r",
  "ruby",
  "scala",
  "scheme",
  "scss",
  "swift",
  "tcl",
  "vbnet",
  "vim",
  "wasm",
  "x86asm",
] as const;

export type GrammarName = (typeof commonGrammars)[number] | (typeof otherGrammars)[number];

const grammarNames = new Set<string>([...commonGrammars, ...otherGrammars]);

/** Names and file extensions people write that are not a grammar's own name. */
const aliases: Record<string, GrammarName> = {
  sh: "bash", shell: "bash", zsh: "bash", console: "bash", tmux: "bash", ksh: "bash", fish: "bash", bashrc: "bash", env: "bash",
  py: "python", pyi: "python", python3: "python", ipython: "python", py3: "python", gyp: "python",
  js: "javascript", jsx: "javascript", mjs: "javascript", cjs: "javascript", node: "javascript",
  ts: "typescript", tsx: "typescript", mts: "typescript", cts: "typescript",
  jsonl: "json", jsonc: "json", json5: "json", ndjson: "json", geojson: "json",
  html: "xml", htm: "xml", xhtml: "xml", svg: "xml", vue: "xml", plist: "xml", xsd: "xml", xsl: "xml",
  md: "markdown", mdx: "markdown", mkd: "markdown",
  yml: "yaml",
  toml: "ini", cfg: "ini", conf: "ini", editorconfig: "ini", gitconfig: "ini",
  rs: "rust",
  golang: "go",
  h: "c",
  "c++": "cpp", cc: "cpp", cxx: "cpp", hpp: "cpp", hh: "cpp", hxx: "cpp",
  mysql: "sql", sqlite: "sql", plsql: "sql", psql: "pgsql", postgres: "pgsql", postgresql: "pgsql",
  patch: "diff", udiff: "diff",
  cs: "csharp", "c#": "csharp",
  kt: "kotlin", kts: "kotlin",
  rb: "ruby", gemspec: "ruby", rake: "ruby",
  pl: "perl", pm: "perl",
  sc: "scala",
  hs: "haskell",
  ex: "elixir", exs: "elixir",
  erl: "erlang",
  clj: "clojure", cljs: "clojure", edn: "clojure",
  docker: "dockerfile", containerfile: "dockerfile",
  make: "makefile", mk: "makefile", mak: "makefile",
  ps1: "powershell", pwsh: "powershell", ps: "powershell",
  proto: "protobuf",
  gql: "graphql",
  tex: "latex",
  el: "lisp", lsp: "lisp",
  ml: "ocaml", mli: "ocaml",
  fs: "fsharp", fsx: "fsharp",
  jl: "julia",
  vb: "vbnet",
  asm: "x86asm", nasm: "x86asm",
  m: "objectivec", mm: "objectivec", objc: "objectivec",
  bat: "dos", cmd: "dos", batch: "dos",
  scm: "scheme", rkt: "scheme", racket: "scheme",
  f90: "fortran", f95: "fortran",
  cr: "crystal",
  hbs: "handlebars", mustache: "handlebars",
  jinja: "django", jinja2: "django", j2: "django",
  coffee: "coffeescript",
  text: "plaintext", txt: "plaintext", plain: "plaintext", log: "plaintext", output: "plaintext", stdout: "plaintext",
};

/** Whole file names whose language their extension does not tell. */
const fileNames: Record<string, GrammarName> = {
  dockerfile: "dockerfile",
  containerfile: "dockerfile",
  makefile: "makefile",
  gnumakefile: "makefile",
  "cmakelists.txt": "cmake",
  ".bashrc": "bash",
  ".zshrc": "bash",
  ".profile": "bash",
  ".env": "bash",
  "nginx.conf": "nginx",
  gemfile: "ruby",
  rakefile: "ruby",
};

/** gptme's tool blocks whose second word is a file: `save src/a.py`, `append notes.md`, `patch a.go`. */
const fileTools = new Set(["save", "append", "write", "read", "cat", "patch", "edit"]);

function grammarOf(word: string): GrammarName | null {
  const lower = word.toLowerCase();
  if (grammarNames.has(lower)) return lower as GrammarName;
  return aliases[lower] ?? null;
}

function grammarOfPath(path: string): GrammarName | null {
  const name = path.split("/").pop()!.toLowerCase();
  if (fileNames[name]) return fileNames[name]!;
  const dot = name.lastIndexOf(".");
  return dot > 0 || (dot === 0 && name.length > 1) ? grammarOf(name.slice(dot + 1)) : null;
}

export interface CodeLanguage {
  /** The grammar to highlight with, or null for plain text. */
  grammar: GrammarName | null;
  /** The block holds diff lines (a diff, or gptme's `patch` with its ORIGINAL/UPDATED markers). */
  diff: boolean;
}

/**
 * The language of a fence's info string: a language (`ts`), a file name (`src/a.py`), or a gptme tool
 * block (`save src/a.py`, `patch main.go`, `shell`, `ipython`). A patch block is a diff whose lines
 * are in the file's language.
 */
export function languageOf(info: string | undefined): CodeLanguage {
  const [first = "", second = ""] = (info ?? "").trim().split(/\s+/);
  const head = first.toLowerCase();
  if (head === "patch" && second) return { grammar: grammarOfPath(second), diff: true };
  if (fileTools.has(head) && second) return { grammar: grammarOfPath(second), diff: false };
  const grammar = grammarOf(head) ?? (head.includes(".") || head.includes("/") ? grammarOfPath(head) : fileNames[head] ?? null);
  return { grammar, diff: grammar === "diff" };
}
