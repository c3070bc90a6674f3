import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Due, DueClock } from "../../runtime/agent/due-clock.js";

function entry(dueAt: number, fired: string[], name: string): Due {
  return { dueAt, due: () => fired.push(name) };
}

describe("DueClock", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "performance"] }));
  afterEach(() => vi.useRealTimers());

  it("calls each entry once, at the first tick at or after its time, and not one that was deleted", () => {
    const clock = new DueClock(100);
    const fired: string[] = [];
    const start = performance.now();
    clock.add(entry(start + 250, fired, "late"));
    clock.add(entry(start + 50, fired, "early"));
    const removed = entry(start + 150, fired, "removed");
    clock.add(removed);
    clock.delete(removed);
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["early"]);
    vi.advanceTimersByTime(200);
    expect(fired).toEqual(["early", "late"]);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual(["early", "late"]);
  });

  it("runs its one timer only while something waits, so an idle process can exit", () => {
    const clock = new DueClock(100);
    const fired: string[] = [];
    expect(vi.getTimerCount()).toBe(0);
    const first = entry(performance.now() + 100, fired, "first");
    clock.add(first);
    clock.add(entry(performance.now() + 300, fired, "second"));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(100);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(200);
    expect(fired).toEqual(["first", "second"]);
    expect(vi.getTimerCount()).toBe(0);
    // Added back from its own call (a recorder's text grows again): the clock starts again.
    clock.add(entry(performance.now() + 100, fired, "again"));
    const dropped = entry(performance.now() + 100, fired, "dropped");
    clock.add(dropped);
    clock.delete(dropped);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(["first", "second", "again"]);
    expect(vi.getTimerCount()).toBe(0);
    clock.add(first);
    clock.delete(first);
    expect(vi.getTimerCount()).toBe(0);
  });
});
