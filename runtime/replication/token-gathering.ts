/**
 * In replicated mode a conversation's events go out one after another, each once JetStream has
 * acknowledged the one before. Tokens that arrive while one is on its way are gathered into one
 * event, so a model writing faster than those round trips does not leave its tokens queueing behind
 * each other; the first token after a quiet moment goes out at once. Other events keep their place:
 * tokens before one go out before it, tokens after it gather anew.
 */
import type { SessionEvent } from "../sessions/types.js";

type Publish = (conversationId: string, event: SessionEvent, allowed: () => boolean) => Promise<unknown>;

export interface GatheringSink {
  (conversationId: string, event: SessionEvent, allowed: () => boolean): void;
  /**
   * Resolves once every event given so far has been handed to `publish` and settled. Events held
   * here for their turn are not yet the event log's, so a shutdown waits for this before it closes
   * the log: else the last events of a reply (its stored message) met a draining connection.
   */
  settled(): Promise<void>;
}

export function gatheringTokens(publish: Publish): GatheringSink {
  /** Per conversation: the publish that the next one waits for (absent when none is on its way). */
  const last = new Map<string, Promise<unknown>>();
  /** Per conversation: the token event still open to more tokens (waiting for its turn). */
  const gathering = new Map<string, { token: string }>();
  const sink = (conversationId: string, event: SessionEvent, allowed: () => boolean) => {
    if (event.type === "generation_progress") {
      const gathered = gathering.get(conversationId);
      if (gathered) {
        gathered.token += event.token;
        return;
      }
    }
    gathering.delete(conversationId);
    const previous = last.get(conversationId);
    let next: Promise<unknown>;
    if (!previous) {
      next = publish(conversationId, event, allowed);
    } else if (event.type === "generation_progress") {
      const gathered = { token: event.token };
      gathering.set(conversationId, gathered);
      next = previous.then(() => {
        if (gathering.get(conversationId) === gathered) gathering.delete(conversationId);
        return publish(conversationId, { type: "generation_progress", token: gathered.token }, allowed);
      });
    } else {
      next = previous.then(() => publish(conversationId, event, allowed));
    }
    last.set(conversationId, next);
    void next.then(() => {
      if (last.get(conversationId) === next) last.delete(conversationId);
    });
  };
  return Object.assign(sink, {
    async settled() {
      while (last.size > 0) await Promise.allSettled([...last.values()]);
    },
  });
}
