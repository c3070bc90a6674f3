import { describe, expect, it } from "vitest";
import { EventBuffer, EventMemory } from "../../runtime/sessions/event-buffer.js";
import type { SessionEvent } from "../../runtime/sessions/types.js";

const token = (text: string): SessionEvent => ({ type: "generation_progress", token: text });
const ids = (result: { events: Array<{ id: number }> }) => result.events.map((event) => event.id);

describe("the event buffer", () => {
  it("numbers events and replays exactly those after an id", () => {
    const buffer = new EventBuffer();
    for (const text of ["a", "b", "c", "d"]) buffer.push(token(text));
    expect(buffer.latestId).toBe(4);
    expect(ids(buffer.after(0))).toEqual([1, 2, 3, 4]);
    expect(buffer.after(2)).toEqual({ events: [{ id: 3, event: token("c") }, { id: 4, event: token("d") }], missed: false });
    expect(buffer.after(4)).toEqual({ events: [], missed: false });
    expect(buffer.after(5).missed).toBe(true);
  });

  it("keeps the newest events within its count and says when older ones are gone", () => {
    const buffer = new EventBuffer({ maxEvents: 3 });
    for (let index = 0; index < 10; index++) buffer.push(token(String(index)));
    expect(ids(buffer.after(7))).toEqual([8, 9, 10]);
    expect(buffer.after(7).missed).toBe(false);
    expect(buffer.after(6).missed).toBe(true);
    expect(ids(buffer.after(0))).toEqual([8, 9, 10]);
    expect(buffer.after(0).events.map((event) => event.event)).toEqual([token("7"), token("8"), token("9")]);
  });

  it("keeps no event larger than its byte limit, nor anything before it, and numbers on", () => {
    const buffer = new EventBuffer({ maxBytes: 200 });
    buffer.push(token("a"));
    expect(buffer.push(token("x".repeat(500))).id).toBe(2);
    expect(buffer.after(0)).toEqual({ events: [], missed: true });
    expect(buffer.after(2)).toEqual({ events: [], missed: false });
    buffer.push(token("b"));
    expect(ids(buffer.after(2))).toEqual([3]);
    expect(buffer.after(1).missed).toBe(true);
  });

  it("gives up the oldest events of any conversation when the shared memory is full", () => {
    const memory = new EventMemory(400);
    const first = new EventBuffer({}, memory);
    const second = new EventBuffer({}, memory);
    for (let index = 0; index < 4; index++) first.push(token(`first ${index}`));
    for (let index = 0; index < 4; index++) second.push(token(`second ${index}`));
    expect(memory.usedBytes).toBeLessThanOrEqual(400);
    // The first buffer's events were the oldest: they went first, and its latest id is unchanged.
    expect(ids(second.after(0))).toEqual([1, 2, 3, 4]);
    expect(first.latestId).toBe(4);
    expect(first.after(0).missed).toBe(true);
    expect(first.size + second.size).toBe(memory.usedBytes);
  });

  it("replays every token exactly as it was sent, multi-byte and split surrogate pairs included", () => {
    const buffer = new EventBuffer({ maxEvents: 50 });
    const emoji = "😀";
    const texts = ["plain", "中文 ", emoji, `a${emoji[0]}`, `${emoji[1]}b`, "\udc00", "", "é".repeat(200)];
    const sent: SessionEvent[] = [];
    for (let index = 0; index < 400; index++) {
      const event = index % 9 === 8 ? ({ type: "generation_started" } as SessionEvent) : token(texts[index % texts.length]!);
      sent.push(event);
      buffer.push(event);
      // Every so often a client resumes from a few events back; the oldest kept must be right too.
      if (index % 13 === 0) expect(buffer.after(buffer.latestId - 3).events.map((numbered) => numbered.event)).toEqual(sent.slice(-3));
    }
    const replay = buffer.after(0);
    expect(replay.missed).toBe(true);
    expect(replay.events.map((numbered) => numbered.event)).toEqual(sent.slice(-50));
    expect(ids(replay)).toEqual(Array.from({ length: 50 }, (_, index) => 351 + index));
  });

  it("keeps its tokens' bytes out of the numbers it counts, and frees them when emptied", () => {
    const buffer = new EventBuffer({ maxEvents: 5 });
    for (let index = 0; index < 20; index++) buffer.push(token(`token ${index}`));
    expect(buffer.size).toBe(5 * (8 + 48));
    buffer.clear();
    expect(buffer.size).toBe(0);
    expect(buffer.after(20)).toEqual({ events: [], missed: false });
    buffer.push(token("after"));
    expect(buffer.after(20).events).toEqual([{ id: 21, event: token("after") }]);
  });
});
