/**
 * Renders marked's tokens straight to Preact elements. No HTML string is ever produced, so raw HTML in
 * model output (`<script>`, `<img onerror>`) can only ever become text.
 */
import { Lexer, type Token, type Tokens } from "marked";
import type { ComponentChildren, VNode } from "preact";
import { CodeBlock } from "../components/CodeBlock.js";
import { decodeEntities } from "./entities.js";
import { isRelativePath, isSafeHref } from "./safe-url.js";

export interface RenderOptions {
  /** Maps a workspace-relative path to a URL the browser can load (the conversation's files route). */
  fileUrl?: (path: string) => string;
}

export function lex(source: string): Token[] {
  return Lexer.lex(source, { gfm: true, breaks: false });
}

function linkTarget(href: string, options: RenderOptions): string | null {
  if (options.fileUrl && isRelativePath(href)) return options.fileUrl(href);
  return isSafeHref(href) ? href : null;
}

function renderLink(token: Tokens.Link, key: number, options: RenderOptions): VNode {
  const children = renderInline(token.tokens, options);
  const target = linkTarget(token.href, options);
  if (!target) return <span key={key}>{children}</span>;
  const external = !target.startsWith("/");
  return (
    <a key={key} href={target} title={token.title ?? undefined} target="_blank" rel={external ? "noopener noreferrer nofollow" : "noopener"}>
      {children}
    </a>
  );
}

function renderImage(token: Tokens.Image, key: number, options: RenderOptions): VNode {
  // Remote images are shown as links: loading them would let model output ping arbitrary hosts.
  if (options.fileUrl && isRelativePath(token.href)) {
    return <img key={key} src={options.fileUrl(token.href)} alt={token.text} title={token.title ?? undefined} loading="lazy" />;
  }
  if (!isSafeHref(token.href)) return <span key={key}>{token.text}</span>;
  return (
    <a key={key} href={token.href} target="_blank" rel="noopener noreferrer nofollow" class="image-link">
      {token.text || token.href}
    </a>
  );
}

export function renderInline(tokens: Token[] | undefined, options: RenderOptions = {}): ComponentChildren[] {
  return (tokens ?? []).map((token, key) => {
    switch (token.type) {
      case "text":
        return token.tokens ? <span key={key}>{renderInline(token.tokens, options)}</span> : decodeEntities(token.text);
      case "escape":
        return token.text;
      case "strong":
        return <strong key={key}>{renderInline(token.tokens, options)}</strong>;
      case "em":
        return <em key={key}>{renderInline(token.tokens, options)}</em>;
      case "del":
        return <del key={key}>{renderInline(token.tokens, options)}</del>;
      case "codespan":
        return <code key={key}>{token.text}</code>;
      case "br":
        return <br key={key} />;
      case "link":
        return renderLink(token as Tokens.Link, key, options);
      case "image":
        return renderImage(token as Tokens.Image, key, options);
      case "html":
        return token.raw;
      default:
        return "raw" in token ? token.raw : "";
    }
  });
}

function renderListItem(item: Tokens.ListItem, key: number, options: RenderOptions): VNode {
  return (
    <li key={key} class={item.task ? "task" : undefined}>
      {item.task && <input type="checkbox" checked={item.checked} disabled aria-label={item.checked ? "done" : "not done"} />}
      {item.loose ? renderBlocks(item.tokens, options) : renderBlocks(item.tokens, options, true)}
    </li>
  );
}

function renderTable(token: Tokens.Table, key: number, options: RenderOptions): VNode {
  const align = (index: number) => token.align[index] ?? undefined;
  return (
    <div key={key} class="table-scroll">
      <table>
        <thead>
          <tr>
            {token.header.map((cell, index) => (
              <th key={index} style={align(index) ? { textAlign: align(index) } : undefined}>
                {renderInline(cell.tokens, options)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {token.rows.map((row, rowIndex) => (
            <tr key={rowIndex}>
              {row.map((cell, index) => (
                <td key={index} style={align(index) ? { textAlign: align(index) } : undefined}>
                  {renderInline(cell.tokens, options)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `tight` renders a tight list item's paragraphs without `<p>` wrappers. */
export function renderBlocks(tokens: Token[], options: RenderOptions = {}, tight = false): ComponentChildren[] {
  return tokens.map((token, key) => {
    switch (token.type) {
      case "space":
      case "def":
        return null;
      case "paragraph":
        return <p key={key}>{renderInline(token.tokens, options)}</p>;
      case "text":
        return tight ? <span key={key}>{renderInline(token.tokens ?? [token], options)}</span> : <p key={key}>{renderInline(token.tokens ?? [token], options)}</p>;
      case "heading": {
        const Heading = `h${Math.min(Math.max(token.depth, 1), 6)}` as "h1";
        return <Heading key={key}>{renderInline(token.tokens, options)}</Heading>;
      }
      case "code":
        return <CodeBlock key={key} code={token.text} info={token.lang} />;
      case "blockquote":
        return <blockquote key={key}>{renderBlocks(token.tokens ?? [], options)}</blockquote>;
      case "hr":
        return <hr key={key} />;
      case "list": {
        const list = token as Tokens.List;
        const items = list.items.map((item, index) => renderListItem(item, index, options));
        return list.ordered ? (
          <ol key={key} start={typeof list.start === "number" && list.start !== 1 ? list.start : undefined}>
            {items}
          </ol>
        ) : (
          <ul key={key}>{items}</ul>
        );
      }
      case "table":
        return renderTable(token as Tokens.Table, key, options);
      case "html":
        return <p key={key} class="raw-html">{token.raw}</p>;
      default:
        return "raw" in token ? <p key={key}>{token.raw}</p> : null;
    }
  });
}

export function renderMarkdown(source: string, options: RenderOptions = {}): ComponentChildren[] {
  return renderBlocks(lex(source), options);
}
