/**
 * Model output is untrusted: a link may only lead to web pages, mail, or the conversation's own files.
 * Parsing with URL (as the browser would) catches disguises like `java\tscript:` or `JaVaScRiPt:`.
 */
const allowedProtocols = new Set(["http:", "https:", "mailto:"]);
const parsingBase = "https://relative.invalid/";

export function isSafeHref(href: string): boolean {
  try {
    return allowedProtocols.has(new URL(href, parsingBase).protocol);
  } catch {
    return false;
  }
}

/** A path relative to the workspace (`src/a.ts`, `./out.png`), as opposed to an absolute URL or an in-page anchor. */
export function isRelativePath(href: string): boolean {
  if (href.startsWith("#") || href.startsWith("/") || href.startsWith("?")) return false;
  return !/^[a-z][a-z0-9+.-]*:/i.test(href.trim());
}
