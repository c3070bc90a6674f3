/**
 * Tokens gathered while one of the conversation's events waits for its acknowledgement: the
 * publishes are held open here to play the slow round trip.
 */
import { describe, expect, it } from "vitest";
import { gatheringTokens } from "../../runtime/replication/token-gathering.js";
import type { SessionEvent } from "../../runtime/sessions/types.js";

function heldPublisher() {
  const sent: Array<{ conversationId: string; event: SessionEvent }> = [];
  const acknowledge: Array<() => void> = [];
  const publish = (conversationId: string, event: SessionEvent) => {
    sent.push({ conversationId, event });
    return new Promise<void>((resolve) => acknowledge.push(resolve));
  };
  /** Acknowledges the oldest publish still waiting and lets the next one start. */
  const acknowledgeNext = async () => {
    acknowledge.shift()!();
    for (let tick = 0; tick < 5; tick++) await Promise.resolve();
  };
  return { sent, publish, acknowledgeNext };
}

const token = (text: string): SessionEvent => ({ type: "generation_progress", token: text });
const allowed = () => true;

describe("gatheringTokens (replicated mode)", () => {
  it("sends the first token at once and the ones that came during its round trip as one event", async () => {
    const publisher = heldPublisher();
    const sink = gatheringTokens(publisher.publish);
    for (const text of ["a", "b", "c", "d"]) sink("one", token(text), allowed);
    expect(publisher.sent.map((item) => item.event)).toEqual([token("a")]);
    await publisher.acknowledgeNext();
    expect(publisher.sent.map((item) => item.event)).toEqual([token("a"), token("bcd")]);
    // More while "bcd" is on its way: gathered again.
    sink("one", token("e"), allowed);
    sink("one", token("f"), allowed);
    await publisher.acknowledgeNext();
    expect(publisher.sent.map((item) => item.event)).toEqual([token("a"), token("bcd"), token("ef")]);
    await publisher.acknowledgeNext();
    // Quiet again: the next token goes out at once.
    sink("one", token("g"), allowed);
    expect(publisher.sent.at(-1)!.event).toEqual(token("g"));
  });

  it("keeps other events in their place: tokens before one go out before it, tokens after it gather anew", async () => {
    const publisher = heldPublisher();
    const sink = gatheringTokens(publisher.publish);
    sink("one", token("a"), allowed);
    sink("one", token("b"), allowed);
    sink("one", { type: "tool_complete", tool_id: "t1", duration_ms: 1, success: true } as SessionEvent, allowed);
    sink("one", token("c"), allowed);
    sink("one", token("d"), allowed);
    for (let index = 0; index < 4; index++) await publisher.acknowledgeNext();
    expect(publisher.sent.map((item) => item.event)).toEqual([
      token("a"),
      token("b"),
      { type: "tool_complete", tool_id: "t1", duration_ms: 1, success: true },
      token("cd"),
    ]);
  });

  it("gathers per conversation", async () => {
    const publisher = heldPublisher();
    const sink = gatheringTokens(publisher.publish);
    sink("one", token("a"), allowed);
    sink("two", token("x"), allowed);
    sink("one", token("b"), allowed);
    sink("two", token("y"), allowed);
    expect(publisher.sent.map((item) => [item.conversationId, item.event])).toEqual([
      ["one", token("a")],
      ["two", token("x")],
    ]);
    await publisher.acknowledgeNext();
    await publisher.acknowledgeNext();
    expect(publisher.sent.slice(2).map((item) => [item.conversationId, item.event])).toEqual([
      ["one", token("b")],
      ["two", token("y")],
    ]);
  });

  it("settles only once every event it holds for its turn has been published (a shutdown waits for it)", async () => {
    const publisher = heldPublisher();
    const sink = gatheringTokens(publisher.publish);
    sink("one", token("a"), allowed);
    sink("one", token("b"), allowed);
    sink("one", { type: "generation_complete" } as SessionEvent, allowed);
    let settled = false;
    void sink.settled().then(() => (settled = true));
    await publisher.acknowledgeNext();
    await publisher.acknowledgeNext();
    // The stored reply's event is handed over only now, after the tokens before it.
    expect(settled).toBe(false);
    expect(publisher.sent.map((item) => item.event.type)).toEqual(["generation_progress", "generation_progress", "generation_complete"]);
    await publisher.acknowledgeNext();
    expect(settled).toBe(true);
    await sink.settled();
  });
});

