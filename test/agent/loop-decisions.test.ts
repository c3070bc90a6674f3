import { describe, expect, it } from "vitest";
import type { ConfirmDecision } from "../../runtime/agent/types.js";
import { createHarness } from "./support/loop-harness.js";
import { textReply } from "./support/scripted-model.js";

const echoHello = textReply(["Echoing.\n```echo\nhello\n```\n"]);

describe("agent loop: tool confirmation", () => {
  it("edit runs the edited content with the same args", async () => {
    const harness = await createHarness([{ parts: echoHello }, { parts: textReply(["ok"]) }], {
      decide: () => ({ action: "edit", content: "goodbye" }),
    });
    expect(await harness.run()).toBe("done");
    expect(harness.tools.executed.map((toolUse) => toolUse.content)).toEqual(["goodbye"]);
    expect((await harness.added())[1].content).toBe("Echo: goodbye");
  });

  it("edit of a native call rebuilds its parameters and keeps the call id", async () => {
    const harness = await createHarness(
      [{ parts: [{ type: "tool-call", id: "c1", name: "echo", arguments: '{"text":"a"}' }] }, { parts: textReply(["ok"]) }],
      { toolFormat: "tool", decide: () => ({ action: "edit", content: "b" }) },
    );
    await harness.run();
    expect((await harness.added())[1]).toMatchObject({ content: "Echo: b", call_id: "c1" });
  });

  it("skip tells the model the user declined, then generation continues", async () => {
    const harness = await createHarness([{ parts: echoHello }, { parts: textReply(["Fine, I won't."]) }], {
      decide: () => ({ action: "skip" }),
    });
    expect(await harness.run()).toBe("done");
    const added = await harness.added();
    expect(added[1].role).toBe("system");
    expect(added[1].content).toMatch(/declined to run this echo tool use/);
    expect(added[2].content).toBe("Fine, I won't.");
    expect(harness.tools.executed).toEqual([]);
    expect(harness.eventTypes()).not.toContain("tool_executing");
  });

  it("stop ends the run without executing and without another model call", async () => {
    const harness = await createHarness([{ parts: echoHello }], { decide: () => ({ action: "stop" }) });
    expect(await harness.run()).toBe("stopped");
    expect(harness.model.requests).toHaveLength(1);
    expect(harness.tools.executed).toEqual([]);
    expect((await harness.added()).map((message) => message.role)).toEqual(["assistant", "system"]);
  });

  it("stop in tool format answers the call id so the next request stays valid", async () => {
    const harness = await createHarness(
      [{ parts: [{ type: "tool-call", id: "c9", name: "echo", arguments: '{"text":"x"}' }] }],
      { toolFormat: "tool", decide: () => ({ action: "stop" }) },
    );
    await harness.run();
    expect((await harness.added())[1].call_id).toBe("c9");
  });

  it("auto-confirmed tools run without asking, and say so in tool_pending", async () => {
    const harness = await createHarness([{ parts: echoHello }, { parts: echoHello }, { parts: textReply(["ok"]) }]);
    let budget = 1;
    await harness.run({ takeAutoConfirm: () => budget-- > 0 });
    const pendingEvents = harness.events.filter((event) => event.type === "tool_pending");
    expect(pendingEvents.map((event) => event.type === "tool_pending" && event.auto_confirm)).toEqual([true, false]);
    expect(harness.pending).toHaveLength(1);
    expect(harness.tools.executed).toHaveLength(2);
  });

  it("tool_pending carries the tool id, the wire shape and the preview", async () => {
    const harness = await createHarness([{ parts: textReply(["```echo\nhi\n```"]) }, { parts: textReply(["ok"]) }]);
    await harness.run();
    const pendingEvent = harness.events.find((event) => event.type === "tool_pending");
    expect(pendingEvent).toEqual({
      type: "tool_pending",
      tool_id: harness.pending[0].toolId,
      tooluse: { tool: "echo", args: [], content: "hi" },
      auto_confirm: false,
      preview: "preview of echo: hi",
    });
    expect(harness.pending[0].toolId).toMatch(/^[0-9a-f-]{36}$/);
    const ids = harness.events.flatMap((event) => ("tool_id" in event ? [event.tool_id] : []));
    expect(new Set(ids)).toEqual(new Set([harness.pending[0].toolId]));
  });

  it("a tool that throws is reported as a failed result and generation continues", async () => {
    const harness = await createHarness([{ parts: textReply(["```fail\ndisk full\n```\n"]) }, { parts: textReply(["Sorry."]) }]);
    expect(await harness.run()).toBe("done");
    expect((await harness.added())[1].content).toBe("Error: disk full");
    const complete = harness.events.find((event) => event.type === "tool_complete");
    expect(complete).toMatchObject({ success: false });
    expect(complete?.type === "tool_complete" && complete.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it("a successful tool completes with success", async () => {
    const harness = await createHarness([{ parts: echoHello }, { parts: textReply(["ok"]) }]);
    await harness.run();
    expect(harness.events.find((event) => event.type === "tool_complete")).toMatchObject({ success: true });
  });

  it("every message is in the store when its message_added is emitted", async () => {
    const harness = await createHarness([{ parts: echoHello }, { parts: textReply(["ok"]) }]);
    const storedCounts: Array<Promise<number>> = [];
    await harness.run({
      emit: (event) => {
        harness.events.push(event);
        if (event.type === "message_added") storedCounts.push(harness.stored().then((messages) => messages.length));
      },
    });
    expect(await Promise.all(storedCounts)).toEqual([3, 4, 5]);
  });

  it("decisions are asked in order for several tool uses of one reply", async () => {
    const decisions: ConfirmDecision[] = [{ action: "skip" }, { action: "confirm" }];
    const harness = await createHarness([{ parts: textReply(["```echo\na\n```\n```echo\nb\n```"]) }, { parts: textReply(["ok"]) }], {
      decide: () => decisions.shift() ?? { action: "confirm" },
    });
    await harness.run({ stream: false });
    expect(harness.tools.executed.map((toolUse) => toolUse.content)).toEqual(["b"]);
  });
});
