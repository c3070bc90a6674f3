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

describe("NumberQueue.at", () => {
  it("reads any kept value by its place from the oldest, after wrap-around", () => {
    const queue = new NumberQueue();
    for (let value = 0; value < 20; value++) queue.push(value);
    for (let shift = 0; shift < 12; shift++) queue.shift();
    for (let value = 20; value < 30; value++) queue.push(value);
    expect(Array.from({ length: queue.length }, (_, index) => queue.at(index))).toEqual(Array.from({ length: 18 }, (_, index) => index + 12));
    expect(queue.at(-1)).toBeUndefined();
    expect(queue.at(18)).toBeUndefined();
  });
});
