/**
 * In replicated mode a conversation's events go out one after another, each once JetStream has
 * acknowledged the one before. Tokens that arrive while one is on its way are gathered into one
 * event, so a model writing faster than those round trips does not leave its tokens queueing behind
 * each other; the first token after a quiet moment goes out at once. Other events keep their place:
 * tokens before one go out before it, tokens after it gather anew.
 */
import type { SessionEvent } from "../sessions/types.js";

type Publish = (conversationId: string, event: SessionEvent, allowed: () => boolean) => Promise<unknown>;

export function gatheringTokens(publish: Publish): (conversationId: string, event: SessionEvent, allowed: () => boolean) => void {
  /** Per conversation: the publish that the next one waits for (absent when none is on its way). */
  const last = new Map<string, Promise<unknown>>();
  /** Per conversation: the token event still open to more tokens (waiting for its turn). */
  const gathering = new Map<string, { token: string }>();
  return (conversationId, event, allowed) => {
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
}
