import { describe, expect, it } from "vitest";
import { NumberQueue } from "../../runtime/sessions/number-queue.js";

describe("NumberQueue", () => {
  it("gives values back oldest first across growth and wrap-around", () => {
    const queue = new NumberQueue();
    const expected: number[] = [];
    let next = 0;
    // Interleaved pushes and shifts move the head around the ring before and after it grows.
    for (let round = 0; round < 50; round++) {
      for (let push = 0; push < 7; push++) {
        queue.push(next);
        expected.push(next++);
      }
      for (let shift = 0; shift < 5; shift++) {
        expect(queue.peek()).toBe(expected[0]);
        expect(queue.shift()).toBe(expected.shift());
      }
      expect(queue.length).toBe(expected.length);
    }
    while (expected.length > 0) expect(queue.shift()).toBe(expected.shift());
    expect(queue.length).toBe(0);
    expect(queue.peek()).toBeUndefined();
    expect(queue.shift()).toBeUndefined();
  });

  it("keeps numbers beyond 32 bits exactly", () => {
    const queue = new NumberQueue();
    queue.push(2 ** 40 + 1);
    expect(queue.shift()).toBe(2 ** 40 + 1);
  });
});
