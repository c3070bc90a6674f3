/** The text formats the CLI reads and writes: Python-style JSON, gptme log lines, /edit's TOML. */
import { describe, expect, it } from "vitest";
import { messagesFromToml, messagesToToml } from "../../adapters/cli/commands/conversation-toml.js";
import { chatConfigToml, flatMetadata, messageToJsonLine, parseConversationJsonl } from "../../adapters/cli/util/gptme-log.js";
import { pythonJsonDumps } from "../../adapters/cli/util/python-json.js";
import type { Message } from "../../runtime/store/types.js";

const tricky: Message[] = [
  { role: "system", content: "prompt", timestamp: "2025-01-01T00:00:00", pinned: true, hide: true },
  { role: "user", content: 'quotes """ and \\ backslash\r\nand "end"', timestamp: "2025-01-01T00:00:01" },
  { role: "assistant", content: "tab\tcontrol\u0001 ünïcode 😀\n", timestamp: "2025-01-01T00:00:02", metadata: { model: "openai/gpt-4o", cost: 0.25, "odd key": 1 } },
  { role: "system", content: "", timestamp: "2025-01-01T00:00:03", call_id: "call_9", files: ["/a b.png"] },
];

describe("pythonJsonDumps", () => {
  it("writes what Python's json.dumps writes", () => {
    expect(pythonJsonDumps({ a: [1, 0.5, 1e-5, 2e16], b: "é😀\u007f\n", c: {}, d: [], e: null, f: false })).toBe(
      '{"a": [1, 0.5, 1e-05, 2e+16], "b": "\\u00e9\\ud83d\\ude00\\u007f\\n", "c": {}, "d": [], "e": null, "f": false}',
    );
  });
});

describe("gptme log lines", () => {
  it("round-trips messages through JSONL", () => {
    const text = tricky.map(messageToJsonLine).join("\n");
    expect(parseConversationJsonl(text, "fallback")).toEqual({ messages: tricky, problems: [] });
  });

  it("writes only truthy optional keys, in gptme's order", () => {
    expect(messageToJsonLine({ role: "user", content: "x", timestamp: "t", files: [], pinned: false, hide: true })).toBe(
      '{"role": "user", "content": "x", "timestamp": "t", "hide": true}',
    );
  });

  it("reports bad lines by number and flattens gptme HEAD's nested usage", () => {
    const parsed = parseConversationJsonl('\n[1]\n{"role": "user"}\n{"role": "assistant", "content": "ok", "metadata": {"model": "m", "usage": {"input_tokens": 3}}}\n', "2025-01-01T00:00:00");
    expect(parsed.problems).toEqual([
      { line: 2, reason: "not a JSON object" },
      { line: 3, reason: "content is not a string" },
    ]);
    expect(parsed.messages).toEqual([{ role: "assistant", content: "ok", timestamp: "2025-01-01T00:00:00", metadata: { model: "m", input_tokens: 3 } }]);
    expect(flatMetadata({ usage: { output_tokens: 2 }, cost: 1 })).toEqual({ cost: 1, output_tokens: 2 });
  });

  it("writes config.toml with the workspace under ~", () => {
    const toml = chatConfigToml({ chat: { name: "n", workspace: "/home/me/src", stream: true }, env: {} }, "/home/me");
    expect(toml).toContain('workspace = "~/src"');
    expect(toml).toContain("[env]");
  });
});

describe("/edit TOML", () => {
  it("round-trips every message exactly", () => {
    const toml = messagesToToml(tricky);
    expect(toml).toContain('content = """\nprompt"""');
    expect(messagesFromToml(toml)).toEqual(tricky);
  });

  it("names the problem in an invalid edit", () => {
    expect(() => messagesFromToml("[[messages]]\nrole = 'robot'\ncontent = 'x'\n")).toThrow(/Message 1 .*role/);
    expect(() => messagesFromToml("[[messages]\n")).toThrow(/not valid TOML/);
  });
});
