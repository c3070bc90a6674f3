/** Weak ETags and `If-None-Match` matching (RFC 9110: weak comparison, lists, `*`). */

/** FNV-1a: a short, stable digest of the parts a response depends on (no crypto needed here). */
function digest(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/** `W/"<version>-<digest of the rest>"`: the version keeps writes apart whatever the digest does. */
export function weakEtag(version: number, parts: unknown[]): string {
  return `W/"${version}-${digest(JSON.stringify(parts))}"`;
}

const opaque = (tag: string) => tag.trim().replace(/^W\//, "");

/** True when the header names this ETag (weakly) or is `*`. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  return ifNoneMatch.split(",").some((candidate) => opaque(candidate) === opaque(etag));
}
