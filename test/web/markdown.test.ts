import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../web/markdown/render.js";
import { decodeEntities } from "../../web/markdown/entities.js";
import { isRelativePath, isSafeHref } from "../../web/markdown/safe-url.js";
import { attributeNames, elementTypes, toHtml } from "./support/vnode-to-html.js";

const fileUrl = (path: string) => `/api/v2/conversations/c1/files/${path}`;

describe("markdown rendering of untrusted model output", () => {
  it("shows raw HTML as text instead of creating elements", () => {
    const tree = renderMarkdown('Hi <script>alert(1)</script> and <img src=x onerror="alert(2)">\n\n<div onclick="x()">block</div>');
    const types = elementTypes(tree);
    expect(types.has("script")).toBe(false);
    expect(types.has("img")).toBe(false);
    expect(types.has("div")).toBe(false);
    const html = toHtml(tree);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=\"alert(2)\"&gt;");
    expect(html).toContain("&lt;div onclick=\"x()\"&gt;block&lt;/div&gt;");
    expect([...attributeNames(tree)].filter((name) => name.startsWith("on"))).toEqual([]);
  });

  it("keeps HTML inside code blocks and code spans as text", () => {
    const html = toHtml(renderMarkdown("`<b>x</b>`\n\n```html\n<script>alert(1)</script>\n```"));
    expect(html).toContain("<code>&lt;b&gt;x&lt;/b&gt;</code>");
    expect(html).not.toContain("<script>");
    // Highlighted, the code is split into token spans; its text is all there, escaped.
    expect(html.replace(/<[^>]+>/g, "")).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("drops dangerous link targets but keeps the link text", () => {
    const tree = renderMarkdown("[click](javascript:alert(1)) [data](data:text/html,<script>) [tab](java\tscript:alert(1)) [ok](https://example.org)");
    const html = toHtml(tree);
    expect(html).not.toMatch(/href="(javascript|data|java)/i);
    expect(html).toContain("<span>click</span>");
    expect(html).toContain('href="https://example.org"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
  });

  it("loads images only from the conversation's files; remote images become links", () => {
    const html = toHtml(renderMarkdown("![plot](out/plot.png) ![remote](https://tracker.example/p.gif)", { fileUrl }));
    expect(html).toContain('<img src="/api/v2/conversations/c1/files/out/plot.png" alt="plot"');
    expect(html).not.toContain('src="https://tracker.example');
    expect(html).toContain('href="https://tracker.example/p.gif"');
  });

  it("renders common markdown structure", () => {
    const html = toHtml(renderMarkdown("# Title\n\n- **bold** and *em*\n- [x] done\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quote"));
    expect(html).toContain("<h1>Title</h1>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<em>em</em>");
    expect(html).toMatch(/<input type="checkbox" checked disabled/);
    expect(html).toContain("<td>1</td>");
    expect(html).toContain("<blockquote><p>quote</p></blockquote>");
  });

  it("decodes entities into text, never into markup", () => {
    expect(decodeEntities("a &amp; b &lt;i&gt; &#60;x&#x3E; &unknown;")).toBe("a & b <i> <x> &unknown;");
    const html = toHtml(renderMarkdown("&lt;script&gt;alert(1)&lt;/script&gt;"));
    expect(html).toBe("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
  });
});

describe("link safety helpers", () => {
  it("allows only web, mail and relative targets", () => {
    expect(isSafeHref("https://a.b")).toBe(true);
    expect(isSafeHref("mailto:a@b.c")).toBe(true);
    expect(isSafeHref("docs/readme.md")).toBe(true);
    expect(isSafeHref("JaVaScRiPt:alert(1)")).toBe(false);
    expect(isSafeHref(" javascript:alert(1)")).toBe(false);
    expect(isSafeHref("vbscript:x")).toBe(false);
    expect(isSafeHref("data:text/html,x")).toBe(false);
  });

  it("tells workspace paths from URLs and anchors", () => {
    expect(isRelativePath("src/a.ts")).toBe(true);
    expect(isRelativePath("./a.png")).toBe(true);
    expect(isRelativePath("#top")).toBe(false);
    expect(isRelativePath("/etc/passwd")).toBe(false);
    expect(isRelativePath("https://x.y")).toBe(false);
  });
});
