/**
 * Short texts a conversation list shows: the opening words of the first user message (a title until
 * the conversation is named) and the part of a message a search matched. Store-independent, so every
 * ConversationStore shapes them alike.
 */
import type { Message } from "./types.js";

const openingLength = 60;
const snippetBefore = 30;
const snippetLength = 100;

function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Cuts at the last word boundary before `length` and marks the cut. */
function cutAtWord(text: string, length: number): string {
  if (text.length <= length) return text;
  const cut = text.slice(0, length);
  const boundary = cut.lastIndexOf(" ");
  return `${(boundary > length / 2 ? cut.slice(0, boundary) : cut).trimEnd()}…`;
}

/** The first visible user message of a batch, as list-sized opening words ("" when there is none). */
export function openingWords(messages: readonly Message[]): string {
  const first = messages.find((message) => message.role === "user" && !message.hide && message.content.trim() !== "");
  return first ? cutAtWord(collapseWhitespace(first.content), openingLength) : "";
}

/**
 * The text around the first case-insensitive occurrence of `query` in `content`, on one line, with
 * `…` where it was cut; null when `content` does not contain it.
 */
export function searchSnippet(content: string, query: string): string | null {
  const text = collapseWhitespace(content);
  const index = text.toLowerCase().indexOf(query.toLowerCase());
  if (index === -1 || query === "") return null;
  let start = Math.max(0, index - snippetBefore);
  if (start > 0) {
    const space = text.indexOf(" ", start);
    if (space !== -1 && space < index) start = space + 1;
  }
  const tail = cutAtWord(text.slice(start), Math.max(snippetLength, index - start + query.length));
  return `${start > 0 ? "…" : ""}${tail}`;
}
