import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../runtime/agent/types.js";
import { createHarness, type Harness } from "./support/loop-harness.js";
import { textReply } from "./support/scripted-model.js";

describe("agent loop: interrupts, errors and limits", () => {
  it("an interrupt mid-stream keeps the partial reply, marked", async () => {
    const harness = await createHarness([
      { parts: [{ type: "text-delta", text: "Let me " }, { type: "text-delta", text: "think about" }], then: "hang" },
    ]);
    const outcome = harness.run({
      emit: (event) => {
        harness.events.push(event);
        if (event.type === "generation_progress" && event.token === "think about") harness.controller.abort();
      },
    });
    expect(await outcome).toBe("interrupted");
    const added = await harness.added();
    expect(added.map((message) => [message.role, message.content])).toEqual([["assistant", "Let me think about [INTERRUPTED]"]]);
    expect(added[0].metadata).toEqual({ model: "test/scripted" });
    expect(harness.eventTypes()).toEqual(["generation_started", "interrupted", "message_added", "generation_complete"]);
    expect(harness.model.closed[0]).toBe(true);
  });

  it("an interrupt ends the run even when the model ignores the abort signal", async () => {
    const harness = await createHarness([{ parts: [{ type: "text-delta", text: "partial" }], then: "hang-ignoring-abort" }]);
    const outcome = harness.run({ emit: abortOn(harness, "generation_progress") });
    expect(await outcome).toBe("interrupted");
    expect((await harness.added())[0].content).toBe("partial [INTERRUPTED]");
  });

  it("an interrupt before any text stores nothing", async () => {
    const harness = await createHarness([{ parts: [], then: "hang" }]);
    const outcome = harness.run({ emit: abortOn(harness, "generation_started") });
    expect(await outcome).toBe("interrupted");
    expect(await harness.added()).toEqual([]);
    expect(harness.eventTypes()).toEqual(["generation_started", "interrupted"]);
  });

  it("an interrupt while a tool waits for confirmation ends the run; a native call gets an answer", async () => {
    const harness = await createHarness(
      [{ parts: [{ type: "tool-call", id: "c1", name: "echo", arguments: '{"text":"x"}' }] }],
      { toolFormat: "tool", decide: () => new Promise(() => undefined) },
    );
    const outcome = harness.run({ emit: abortOn(harness, "tool_pending") });
    expect(await outcome).toBe("interrupted");
    expect(harness.tools.executed).toEqual([]);
    const added = await harness.added();
    expect(added[1]).toMatchObject({ role: "system", call_id: "c1" });
    expect(harness.eventTypes().at(-1)).toBe("interrupted");
  });

  it("an interrupt already signalled stops before calling the model", async () => {
    const harness = await createHarness([]);
    harness.controller.abort();
    expect(await harness.run()).toBe("interrupted");
    expect(harness.model.requests).toEqual([]);
  });

  it("a model error is emitted and persisted as an Error system message", async () => {
    const harness = await createHarness([{ parts: [], then: new Error("HTTP 500: upstream failed") }]);
    expect(await harness.run()).toBe("error");
    expect((await harness.added()).map((message) => [message.role, message.content])).toEqual([
      ["system", "Error: HTTP 500: upstream failed"],
    ]);
    expect(harness.eventTypes()).toEqual(["generation_started", "message_added", "error"]);
    expect(harness.events.at(-1)).toEqual({ type: "error", error: "HTTP 500: upstream failed" });
  });

  it("a model error mid-reply keeps what was written before the error", async () => {
    const harness = await createHarness([{ parts: [{ type: "text-delta", text: "Half a " }], then: new Error("connection reset") }]);
    expect(await harness.run()).toBe("error");
    expect((await harness.added()).map((message) => message.content)).toEqual(["Half a ", "Error: connection reset"]);
  });

  it("a store that fails ends the run with an error event instead of throwing", async () => {
    const harness = await createHarness([{ parts: textReply(["hello"]) }]);
    harness.store.append = async () => {
      throw new Error("database is locked");
    };
    expect(await harness.run()).toBe("error");
    expect(harness.events.at(-1)).toEqual({ type: "error", error: "database is locked" });
  });

  it("an empty conversation is an error", async () => {
    const harness = await createHarness([]);
    await harness.store.replaceMessages("loop-test", []);
    expect(await harness.run()).toBe("error");
    expect(harness.events).toEqual([{ type: "error", error: "No messages to process" }]);
  });

  it("stops after maxTurns model turns", async () => {
    const toolReply = { parts: textReply(["```echo\nagain\n```\n"]) };
    const harness = await createHarness([toolReply, toolReply, toolReply]);
    expect(await harness.run({ maxTurns: 2 })).toBe("stopped");
    expect(harness.model.requests).toHaveLength(2);
    expect(harness.events.at(-1)).toMatchObject({ type: "error" });
  });

  it("reads and writes the given branch", async () => {
    const harness = await createHarness([{ parts: textReply(["on a branch"]) }]);
    await harness.store.append("loop-test", [{ role: "user", content: "branch question", timestamp: "2026-01-01T00:00:02.000Z" }], "side");
    await harness.run({ branch: "side" });
    expect(harness.model.requests[0].messages.map((message) => message.content)).toEqual(["branch question"]);
    expect((await harness.store.messages("loop-test", "side")).map((message) => message.content)).toEqual([
      "branch question",
      "on a branch",
    ]);
    expect(await harness.added()).toEqual([]);
  });
});

/** Records events and interrupts the run once an event of `type` has been emitted. */
function abortOn(harness: Harness, type: AgentEvent["type"]) {
  return (event: AgentEvent) => {
    harness.events.push(event);
    if (event.type === type) queueMicrotask(() => harness.controller.abort());
  };
}
