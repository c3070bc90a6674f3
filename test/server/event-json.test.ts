import { describe, expect, it } from "vitest";
import { eventJson } from "../../handlers/events.js";
import type { SessionEvent } from "../../runtime/sessions/types.js";

describe("eventJson", () => {
  // Every character JSON escapes, the two line separators JavaScript once could not hold in a
  // string literal, a lone surrogate, a pair, HTML that must stay inert, and the empty token.
  const tokens = ['"', "\\", "\n", "\r\n", "\t", "\u0000\u0001\u001f", "\u2028\u2029", "\ud800", "x\udc00", "😀", "</script>", "", "plain words "];

  it("writes a token event exactly as JSON.stringify writes the event object", () => {
    for (const token of tokens) {
      const event: SessionEvent = { type: "generation_progress", token };
      expect(eventJson(event)).toBe(JSON.stringify(event));
      expect(JSON.parse(eventJson(event))).toEqual(event);
    }
  });

  it("writes any other event with JSON.stringify", () => {
    const events: SessionEvent[] = [{ type: "ping" }, { type: "error", error: 'bad "thing"\n' }, { type: "interrupted" }];
    for (const event of events) expect(eventJson(event)).toBe(JSON.stringify(event));
  });
});
