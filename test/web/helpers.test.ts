import { describe, expect, it } from "vitest";
import { fragmentWithoutToken, tokenFromFragment } from "../../web/auth/fragment-token.js";
import { newConversationId } from "../../web/conversation/conversation-id.js";
import { applyListChange } from "../../web/conversation/list-events.js";
import { RecentIds } from "../../web/conversation/recent-ids.js";
import { conversationUsage } from "../../web/conversation/usage.js";
import { formatCost, formatTokens } from "../../web/format.js";
import { parseRoute } from "../../web/router.js";

describe("client helpers", () => {
  it("reads the token from our fragment and from gptme webui's", () => {
    expect(tokenFromFragment("#token=abc")).toBe("abc");
    expect(tokenFromFragment("#baseUrl=http%3A%2F%2Fx&userToken=xyz")).toBe("xyz");
    expect(tokenFromFragment("#other=1")).toBeNull();
    expect(fragmentWithoutToken("#token=abc")).toBe("");
    expect(fragmentWithoutToken("#token=abc&view=files")).toBe("#view=files");
  });

  it("makes gptme webui style conversation ids", () => {
    expect(newConversationId(new Date("2025-12-01T10:00:00.000Z"))).toBe("chat-2025-12-01T10-00-00-000Z");
  });

  it("routes conversation paths", () => {
    expect(parseRoute("/")).toEqual({ name: "home" });
    expect(parseRoute("/chat/chat-1")).toEqual({ name: "conversation", id: "chat-1" });
    expect(parseRoute("/chat/a%20b")).toEqual({ name: "conversation", id: "a b" });
    expect(parseRoute("/unknown/path")).toEqual({ name: "home" });
  });

  it("remembers event ids to drop replayed duplicates, within a bound", () => {
    const ids = new RecentIds(2);
    expect(ids.remember("1")).toBe(true);
    expect(ids.remember("1")).toBe(false);
    ids.remember("2");
    ids.remember("3");
    expect(ids.remember("1")).toBe(true);
  });

  it("sums usage over flat and nested metadata", () => {
    const totals = conversationUsage([
      { role: "assistant", content: "a", metadata: { input_tokens: 100, output_tokens: 20, cost: 0.001 } },
      { role: "assistant", content: "b", metadata: { usage: { input_tokens: 50, output_tokens: 5, cache_read_tokens: 40 }, cost: 0.002 } },
      { role: "user", content: "c" },
    ]);
    expect(totals).toMatchObject({ inputTokens: 150, outputTokens: 25, cacheReadTokens: 40, replies: 2 });
    expect(totals.cost).toBeCloseTo(0.003);
    expect(formatTokens(1234)).toBe("1.2k");
    expect(formatCost(0.0031)).toBe("$0.0031");
    expect(formatCost(1.5)).toBe("$1.50");
  });

  it("patches the loaded list for created, renamed, touched and deleted conversations", () => {
    const items = [
      { id: "a", name: "A", modified: 2, messages: 1 },
      { id: "b", name: "B", modified: 1, messages: 1 },
    ];
    expect(applyListChange(items, { type: "renamed", id: "b", name: "Bee" })[1].name).toBe("Bee");
    expect(applyListChange(items, { type: "touched", id: "b" }).map((item) => item.id)).toEqual(["b", "a"]);
    expect(applyListChange(items, { type: "counted", id: "a", messages: 7 })[0]).toMatchObject({ id: "a", messages: 7 });
    expect(applyListChange(items, { type: "deleted", id: "a" }).map((item) => item.id)).toEqual(["b"]);
    expect(applyListChange(items, { type: "created", conversation: { id: "c", name: "C", modified: 3, messages: 1 } })[0].id).toBe("c");
  });
});
