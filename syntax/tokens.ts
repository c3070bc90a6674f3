/**
 * highlight.js's parse as a token tree instead of HTML: a small emitter (hljs's documented emitter
 * interface) collects scopes and text, so the web UI can draw Preact nodes and the CLI ANSI styles
 * from the same tokens, and no HTML string is ever produced.
 */
import type { Emitter, HLJSApi } from "highlight.js";

export interface SyntaxScope {
  scope: string;
  children: SyntaxNode[];
}

export type SyntaxNode = string | SyntaxScope;

/** Collects what the parser emits; hljs creates one per highlight call. */
export class TokenTreeEmitter implements Emitter {
  readonly root: SyntaxScope = { scope: "", children: [] };
  private readonly stack: SyntaxScope[] = [this.root];

  constructor(_options?: unknown) {}

  private get top(): SyntaxScope {
    return this.stack[this.stack.length - 1]!;
  }

  addText(text: string): void {
    if (text !== "") this.top.children.push(text);
  }

  startScope(scope: string): void {
    this.openNode(scope);
  }

  endScope(): void {
    this.closeNode();
  }

  openNode(scope: string): void {
    const node: SyntaxScope = { scope, children: [] };
    this.top.children.push(node);
    this.stack.push(node);
  }

  closeNode(): void {
    if (this.stack.length > 1) this.stack.pop();
  }

  __addSublanguage(emitter: Emitter, name: string): void {
    const root = (emitter as TokenTreeEmitter).root;
    this.top.children.push({ scope: name ? `language:${name}` : "", children: root.children });
  }

  finalize(): void {
    this.stack.length = 1;
  }

  toHTML(): string {
    return "";
  }
}

/** A highlight.js instance of its own (never the shared global one) that emits token trees. */
export function createHighlighter(core: HLJSApi): HLJSApi {
  const instance = core.newInstance();
  instance.configure({ __emitter: TokenTreeEmitter });
  return instance;
}

/** The token tree of `code`, or null when the grammar is not registered (yet). */
export function highlightTree(highlighter: HLJSApi, code: string, language: string): SyntaxNode[] | null {
  if (!highlighter.getLanguage(language)) return null;
  const result = highlighter.highlight(code, { language, ignoreIllegals: true });
  return (result._emitter as TokenTreeEmitter).root.children;
}

/** What a scope looks like, in the few styles both the web UI and the terminal draw. */
export type TokenKind =
  | "keyword"
  | "string"
  | "comment"
  | "number"
  | "literal"
  | "type"
  | "title"
  | "variable"
  | "attribute"
  | "meta"
  | "tag"
  | "addition"
  | "deletion";

const kinds: Record<string, TokenKind> = {
  keyword: "keyword",
  built_in: "type",
  type: "type",
  class: "type",
  literal: "literal",
  number: "number",
  string: "string",
  regexp: "string",
  char: "string",
  symbol: "string",
  subst: "variable",
  comment: "comment",
  doctag: "comment",
  quote: "comment",
  meta: "meta",
  section: "title",
  title: "title",
  function: "title",
  variable: "variable",
  "template-variable": "variable",
  params: "variable",
  property: "attribute",
  attr: "attribute",
  attribute: "attribute",
  tag: "tag",
  name: "tag",
  "selector-tag": "tag",
  "selector-id": "tag",
  "selector-class": "tag",
  "selector-attr": "attribute",
  "selector-pseudo": "tag",
  bullet: "meta",
  link: "string",
  addition: "addition",
  deletion: "deletion",
};

/** `title.function.invoke` → its first known part; null for scopes drawn as plain text. */
export function kindOf(scope: string): TokenKind | null {
  for (const part of scope.split(".")) {
    const kind = kinds[part];
    if (kind) return kind;
  }
  return null;
}

export interface FlatToken {
  text: string;
  /** The innermost styled scope around the text, or null. */
  kind: TokenKind | null;
}

/** The tree as a run of texts with the innermost style each has (for terminals, which do not nest). */
export function flattenTokens(nodes: SyntaxNode[], inherited: TokenKind | null = null, into: FlatToken[] = []): FlatToken[] {
  for (const node of nodes) {
    if (typeof node === "string") into.push({ text: node, kind: inherited });
    else flattenTokens(node.children, kindOf(node.scope) ?? inherited, into);
  }
  return into;
}
