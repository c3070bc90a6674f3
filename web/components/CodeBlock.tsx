import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { highlightCode, isLoaded, loadGrammar } from "../markdown/highlight.js";
import { diffLines } from "../../syntax/diff.js";
import { type GrammarName, languageOf } from "../../syntax/languages.js";
import { kindOf, type SyntaxNode } from "../../syntax/tokens.js";
import { CopyButton } from "./CopyButton.js";

interface CodeBlockProps {
  code: string;
  /** The fence's info string: a language, a file name, or a gptme tool header like `save src/a.py`. */
  info?: string;
  /** Overrides what `info` says (e.g. `diff` for previews). */
  language?: string;
}

/** Draws highlight.js's token tree as spans with `token-<kind>` classes; text stays text nodes. */
export function drawTokens(nodes: SyntaxNode[]): ComponentChildren[] {
  return nodes.map((node, index) => {
    if (typeof node === "string") return node;
    const kind = kindOf(node.scope);
    const children = drawTokens(node.children);
    return kind ? (
      <span key={index} class={`token-${kind}`}>
        {children}
      </span>
    ) : (
      <span key={index}>{children}</span>
    );
  });
}

/** Plain code until its grammar's chunk has loaded, then highlighted (grammars outside the first bundle). */
function LazyHighlighted({ code, grammar }: { code: string; grammar: GrammarName }) {
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    let current = true;
    void loadGrammar(grammar).then((ok) => {
      if (ok && current) setLoaded(true);
    });
    return () => {
      current = false;
    };
  }, [grammar]);
  const tokens = loaded ? highlightCode(code, grammar) : null;
  return <>{tokens ? drawTokens(tokens) : code}</>;
}

function highlighted(code: string, grammar: GrammarName | null): ComponentChildren {
  if (grammar === null) return code;
  if (!isLoaded(grammar)) return <LazyHighlighted code={code} grammar={grammar} />;
  const tokens = highlightCode(code, grammar);
  return tokens ? drawTokens(tokens) : code;
}

export function CodeBlock({ code, info, language }: CodeBlockProps) {
  const detected = languageOf(language ?? info);
  const label = info?.trim() || detected.grammar || "text";
  return (
    <figure class="code-block">
      <figcaption>
        <span class="code-label">{label}</span>
        <CopyButton text={code} />
      </figcaption>
      <pre tabIndex={0}>
        <code>
          {detected.diff
            ? diffLines(code).map((line, index) => (
                <span key={index} class={`diff-line token-${line.kind}`}>
                  {line.text.replace(/\n$/, "")}
                </span>
              ))
            : highlighted(code, detected.grammar)}
        </code>
      </pre>
    </figure>
  );
}
