import { highlight, languageFor } from "../markdown/highlight.js";
import { CopyButton } from "./CopyButton.js";

interface CodeBlockProps {
  code: string;
  /** The fence's info string: a language, a file name, or a gptme tool header like `save src/a.py`. */
  info?: string;
  /** Overrides the grammar chosen from `info` (e.g. `diff` for previews). */
  language?: string;
}

export function CodeBlock({ code, info, language }: CodeBlockProps) {
  const grammar = language ?? languageFor(info);
  const tokens = highlight(code, grammar);
  const label = info?.trim() || (grammar !== "plain" ? grammar : "");
  return (
    <figure class="code-block">
      <figcaption>
        <span class="code-label">{label || "text"}</span>
        <CopyButton text={code} />
      </figcaption>
      <pre tabIndex={0}>
        <code>
          {grammar === "diff"
            ? tokens.map((token, index) => (
                <span key={index} class={`diff-line token-${token.kind}`}>
                  {token.text.replace(/\n$/, "")}
                </span>
              ))
            : tokens.map((token, index) =>
                token.kind === "plain" ? (
                  token.text
                ) : (
                  <span key={index} class={`token-${token.kind}`}>
                    {token.text}
                  </span>
                ),
              )}
        </code>
      </pre>
    </figure>
  );
}
