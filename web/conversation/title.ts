/**
 * What a conversation is called on screen: its name once it has one (`name` is the id until the model
 * or the user names it), else the opening words of its first user message, else the id.
 */

interface Titled {
  id: string;
  name?: string;
  first_user_message_preview?: string;
}

export function isNamed(conversation: Titled): boolean {
  return Boolean(conversation.name) && conversation.name !== conversation.id;
}

export function conversationTitle(conversation: Titled): string {
  if (isNamed(conversation)) return conversation.name!;
  return conversation.first_user_message_preview || conversation.id;
}

const openingLength = 60;

/** The server's rule for `first_user_message_preview`, for a conversation the list has not fetched yet. */
export function openingWords(content: string): string {
  const text = content.replace(/\s+/g, " ").trim();
  if (text.length <= openingLength) return text;
  const cut = text.slice(0, openingLength);
  const boundary = cut.lastIndexOf(" ");
  return `${(boundary > openingLength / 2 ? cut.slice(0, boundary) : cut).trimEnd()}…`;
}

/** Splits `text` around the first case-insensitive occurrence of `query`, to mark it. */
export function splitAtMatch(text: string, query: string): [string, string, string] | null {
  if (!query) return null;
  const index = text.toLowerCase().indexOf(query.toLowerCase());
  if (index === -1) return null;
  return [text.slice(0, index), text.slice(index, index + query.length), text.slice(index + query.length)];
}
