import { afterEach, describe, expect, it, vi } from "vitest";
import { createSessionManager } from "../../runtime/sessions/session-manager.js";
import type { SessionDependencies } from "../../runtime/sessions/session-manager.js";

afterEach(() => {
  vi.useRealTimers();
});

const unused = () => {
  throw new Error("not used in this test");
};

function manager() {
  return createSessionManager({
    store: {} as SessionDependencies["store"],
    models: {} as SessionDependencies["models"],
    toolsFor: unused,
    sandboxFor: unused,
    dataDirectory: "/nonexistent",
    runLoop: unused,
    idleLimitMs: 60_000,
  });
}

describe("idle sessions", () => {
  it("forgets a conversation nobody has touched for the idle limit, but not one with a client", async () => {
    vi.useFakeTimers();
    const sessions = manager();
    const idle = sessions.create("idle");
    const watched = sessions.create("watched");
    const subscription = sessions.subscribe("watched", null, () => undefined);
    vi.advanceTimersByTime(30_000);
    expect(sessions.require("idle", idle.id).id).toBe(idle.id);
    vi.advanceTimersByTime(180_000);
    expect(() => sessions.require("idle", idle.id)).toThrow(/Session not found/);
    expect(sessions.require("watched", watched.id).id).toBe(watched.id);
    subscription.unsubscribe();
    await sessions.close();
  });
});
