import { describe, expect, it } from "vitest";
import type { ModelPart } from "../../runtime/models/model.js";
import { createHarness } from "./support/loop-harness.js";
import { chunked, textReply } from "./support/scripted-model.js";

const toolTurnEvents = [
  "generation_started",
  "message_added",
  "generation_complete",
  "tool_pending",
  "tool_executing",
  "message_added",
  "tool_output",
  "tool_complete",
  "generation_started",
  "message_added",
  "generation_complete",
];

describe("agent loop: a two-step conversation in each tool format", () => {
  it("markdown: stops at the tool block, runs it, and answers again", async () => {
    const reply = "I'll echo it.\n```echo\nhello\n```\nSystem: Echo: hello\nAll done!";
    const harness = await createHarness([
      { parts: textReply(chunked(reply, 5), { inputTokens: 100, outputTokens: 20 }) },
      { parts: textReply(["The tool said ", "hello."], { inputTokens: 150, outputTokens: 6, cacheReadTokens: 90 }) },
    ]);

    expect(await harness.run()).toBe("done");

    const added = await harness.added();
    expect(added.map((message) => [message.role, message.content])).toEqual([
      ["assistant", "I'll echo it.\n```echo\nhello\n```\n"],
      ["system", "Echo: hello"],
      ["assistant", "The tool said hello."],
    ]);
    // The text after the tool use is dropped, but the usage that ends the stream is still read.
    expect(added[0].metadata).toMatchObject({ model: "test/scripted", input_tokens: 100, output_tokens: 20 });
    expect(added[2].metadata).toEqual({
      model: "test/scripted",
      input_tokens: 150,
      output_tokens: 6,
      cache_read_tokens: 90,
      cache_creation_tokens: 0,
      cost: 150 * 0.001 + 6 * 0.002,
    });
    expect(harness.eventTypes()).toEqual(toolTurnEvents);
    expect(harness.pending[0].wire).toEqual({ tool: "echo", args: [], content: "hello" });
    expect(harness.model.requests[1].messages.at(-1)).toMatchObject({ role: "system", content: "Echo: hello" });
    expect(harness.model.requests[0].tools).toBeUndefined();
  });

  it("markdown: progress tokens add up to the stored reply and stop at the tool use", async () => {
    const reply = "Sure:\n```echo\nhi\n```\nhallucinated output";
    const harness = await createHarness([{ parts: textReply(chunked(reply, 3)) }, { parts: textReply(["ok"]) }]);
    await harness.run();
    const tokens = harness.events.flatMap((event) => (event.type === "generation_progress" ? [event.token] : []));
    expect(tokens.join("")).toBe("Sure:\n```echo\nhi\n```\nok");
  });

  it("markdown: after the tool use, reads only up to the usage, then aborts the request", async () => {
    const reply = "```echo\nhi\n```\n";
    const tail = chunked("System: Echo: hi\nmore and more", 4).map((text): ModelPart => ({ type: "text-delta", text }));
    const parts: ModelPart[] = [
      ...chunked(reply, 4).map((text): ModelPart => ({ type: "text-delta", text })),
      ...tail,
      { type: "usage", usage: { inputTokens: 7, outputTokens: 3, cacheReadTokens: 0, cacheCreationTokens: 0 } },
      ...chunked("never read", 4).map((text): ModelPart => ({ type: "text-delta", text })),
      { type: "finish", reason: "stop" },
    ];
    const harness = await createHarness([{ parts }, { parts: textReply(["ok"]) }]);
    await harness.run();
    expect(harness.model.delivered[0]).toBe(chunked(reply, 4).length + tail.length + 1);
    expect((await harness.added())[0]).toMatchObject({ content: reply, metadata: { input_tokens: 7, output_tokens: 3 } });
    expect(harness.model.closed[0]).toBe(true);
    expect(harness.model.requests[0].signal?.aborted).toBe(true);
    expect(harness.model.requests[1].signal?.aborted).toBe(false);
  });

  it("xml: stops after </tool-use>, runs it, and answers again", async () => {
    const reply = "Echoing.\n<tool-use>\n<echo>\nhello\n</echo>\n</tool-use>\nSystem: fake";
    const harness = await createHarness(
      [{ parts: textReply(chunked(reply, 6)) }, { parts: textReply(["Done."]) }],
      { toolFormat: "xml" },
    );
    expect(await harness.run()).toBe("done");
    expect((await harness.added()).map((message) => message.content)).toEqual([
      "Echoing.\n<tool-use>\n<echo>\nhello\n</echo>\n</tool-use>",
      "Echo: hello",
      "Done.",
    ]);
    expect(harness.eventTypes()).toEqual(toolTurnEvents);
  });

  it("tool: offers native tools, records the call as @tool(call_id), answers with call_id", async () => {
    const harness = await createHarness(
      [
        {
          parts: [
            { type: "text-delta", text: "Calling echo." },
            { type: "tool-call", id: "call_1", name: "echo", arguments: '{ "text": "hello" }' },
            { type: "usage", usage: { inputTokens: 40, outputTokens: 12, cacheReadTokens: 0, cacheCreationTokens: 3 } },
            { type: "finish", reason: "tool_calls" },
          ],
        },
        { parts: textReply(["It echoed hello."]) },
      ],
      { toolFormat: "tool" },
    );
    expect(await harness.run()).toBe("done");
    const added = await harness.added();
    expect(added.map((message) => [message.role, message.content, message.call_id])).toEqual([
      ["assistant", 'Calling echo.\n@echo(call_1): {"text":"hello"}', undefined],
      ["system", "Echo: hello", "call_1"],
      ["assistant", "It echoed hello.", undefined],
    ]);
    expect(added[0].metadata).toMatchObject({ input_tokens: 40, output_tokens: 12, cache_creation_tokens: 3 });
    expect(harness.pending[0].wire).toEqual({ tool: "echo", args: [], content: "hello" });
    expect(harness.pending[0].toolUse.callId).toBe("call_1");
    const offered = harness.model.requests[0].tools ?? [];
    expect(offered.map((tool) => tool.name)).toEqual(["echo", "fail"]);
    expect(offered[0].parameters).toMatchObject({
      type: "object",
      properties: { text: { type: "string", description: "What to echo back" } },
      required: ["text"],
    });
    expect(offered[0].parameters).not.toHaveProperty("$schema");
    expect(harness.eventTypes()).toEqual(toolTurnEvents);
  });

  it("tool: runs every native call of a reply in order", async () => {
    const harness = await createHarness(
      [
        {
          parts: [
            { type: "tool-call", id: "a", name: "echo", arguments: '{"text":"one"}' },
            { type: "tool-call", id: "b", name: "echo", arguments: '{"text":"two"}' },
            { type: "finish", reason: "tool_calls" },
          ],
        },
        { parts: textReply(["ok"]) },
      ],
      { toolFormat: "tool" },
    );
    await harness.run();
    expect((await harness.added()).map((message) => [message.content, message.call_id])).toEqual([
      ['@echo(a): {"text":"one"}\n@echo(b): {"text":"two"}', undefined],
      ["Echo: one", "a"],
      ["Echo: two", "b"],
      ["ok", undefined],
    ]);
  });

  it("tool: an unknown tool or invalid arguments are answered with an error for that call id", async () => {
    const harness = await createHarness(
      [
        {
          parts: [
            { type: "tool-call", id: "a", name: "nope", arguments: "{}" },
            { type: "tool-call", id: "b", name: "echo", arguments: "{not json" },
          ],
        },
        { parts: textReply(["ok"]) },
      ],
      { toolFormat: "tool" },
    );
    await harness.run();
    const added = await harness.added();
    expect(added[0].content).toBe("@nope(a): {}\n@echo(b): {not json");
    expect(added.slice(1, 3).map((message) => [message.call_id, message.content.startsWith("Error:")])).toEqual([
      ["a", true],
      ["b", true],
    ]);
    expect(harness.pending).toEqual([]);
  });

  it("without streaming, runs every tool use of the reply", async () => {
    const reply = "```echo\none\n```\nand\n```echo\ntwo\n```";
    const harness = await createHarness([{ parts: textReply([reply]) }, { parts: textReply(["ok"]) }]);
    await harness.run({ stream: false });
    expect(harness.model.requests[0].stream).toBe(false);
    expect((await harness.added()).map((message) => message.content)).toEqual([reply, "Echo: one", "Echo: two", "ok"]);
  });
});
