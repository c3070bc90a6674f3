/**
 * Changes made elsewhere in the app (create, rename, auto-name, delete) patched into the loaded list,
 * so a list scrolled through thousands of entries is not reloaded from the top for each one.
 */
import type { ConversationSummary } from "../api/types.js";

export type ListChange =
  | { type: "created"; conversation: ConversationSummary }
  | { type: "renamed"; id: string; name: string }
  | { type: "deleted"; id: string }
  /** New activity: moves the conversation to the top. */
  | { type: "touched"; id: string }
  /** The log's length as loaded or grown, without reordering. */
  | { type: "counted"; id: string; messages: number };

type Listener = (change: ListChange) => void;
const listeners = new Set<Listener>();

export function publishListChange(change: ListChange): void {
  for (const listener of listeners) listener(change);
}

export function subscribeToListChanges(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function applyListChange(items: ConversationSummary[], change: ListChange): ConversationSummary[] {
  switch (change.type) {
    case "created":
      return [change.conversation, ...items.filter((item) => item.id !== change.conversation.id)];
    case "renamed":
      return items.map((item) => (item.id === change.id ? { ...item, name: change.name } : item));
    case "deleted":
      return items.filter((item) => item.id !== change.id);
    case "touched": {
      const item = items.find((entry) => entry.id === change.id);
      if (!item) return items;
      return [{ ...item, modified: Date.now() / 1000 }, ...items.filter((entry) => entry.id !== change.id)];
    }
    case "counted":
      return items.map((item) => (item.id === change.id && item.messages !== change.messages ? { ...item, messages: change.messages } : item));
  }
}
