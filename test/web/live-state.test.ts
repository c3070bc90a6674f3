import { describe, expect, it } from "vitest";
import type { Message, ServerEvent } from "../../web/api/types.js";
import { asksForReload, initialLiveState, liveReducer, visibleMessages, type LiveState } from "../../web/conversation/live-state.js";

const user: Message = { role: "user", content: "hi", timestamp: "2026-01-01T00:00:00Z" };
const reply: Message = { role: "assistant", content: "Hello there", timestamp: "2026-01-01T00:00:01Z" };
const toolUse = { tool: "save", args: ["hello.txt"], content: "Hello\n" };

function apply(state: LiveState, ...events: ServerEvent[]): LiveState {
  return events.reduce((current, event) => liveReducer(current, { type: "server_event", event }), state);
}

describe("live conversation state", () => {
  it("streams tokens into a placeholder and replaces it with the stored message", () => {
    let state = apply(initialLiveState(), { type: "connected", session_id: "s1" }, { type: "message_added", message: user });
    state = apply(state, { type: "generation_started" }, { type: "generation_progress", token: "Hel" }, { type: "generation_progress", token: "lo there" });
    expect(state.streaming).toBe("Hello there");
    expect(state.generating).toBe(true);
    state = apply(state, { type: "message_added", message: reply }, { type: "generation_complete", message: reply });
    expect(state.streaming).toBeNull();
    expect(state.generating).toBe(false);
    expect(state.messages).toEqual([user, reply]);
  });

  it("ignores a message it already has (replay after reconnect, or the log already contained it)", () => {
    let state = liveReducer(initialLiveState(), { type: "log_loaded", conversation: { id: "c", name: "c", log: [user, reply] } });
    state = apply(state, { type: "message_added", message: user }, { type: "message_added", message: reply });
    expect(state.messages).toHaveLength(2);
  });

  it("keeps messages that arrived as events while an older log snapshot was loading", () => {
    let state = apply(initialLiveState(), { type: "message_added", message: user }, { type: "message_added", message: reply });
    state = liveReducer(state, { type: "log_loaded", conversation: { id: "c", name: "Chat", log: [user] } });
    expect(state.messages).toEqual([user, reply]);
    expect(state.name).toBe("Chat");
    // Once merged, the next load is authoritative again.
    state = liveReducer(state, { type: "log_loaded", conversation: { id: "c", name: "Chat", log: [user] } });
    expect(state.messages).toEqual([user]);
  });

  it("tracks a tool from pending through confirmation to completion", () => {
    let state = apply(initialLiveState(), { type: "tool_pending", tool_id: "t1", tooluse: toolUse, auto_confirm: false, preview: "+Hello" });
    expect(state.tools).toMatchObject([{ toolId: "t1", status: "pending", preview: "+Hello" }]);
    state = liveReducer(state, { type: "tool_submitting", toolId: "t1" });
    state = liveReducer(state, { type: "tool_decided", toolId: "t1", skipped: false });
    expect(state.tools[0].status).toBe("queued");
    state = apply(state, { type: "tool_executing", tool_id: "t1" }, { type: "tool_output", tool_id: "t1", output: "Saved" });
    expect(state.tools[0]).toMatchObject({ status: "executing", output: "Saved" });
    state = apply(state, { type: "tool_complete", tool_id: "t1", success: true, duration_ms: 3 });
    expect(state.tools).toEqual([]);
  });

  it("removes a skipped tool and returns a failed decision to pending", () => {
    let state = apply(initialLiveState(), { type: "tool_pending", tool_id: "t1", tooluse: toolUse, auto_confirm: false });
    state = liveReducer(state, { type: "tool_submitting", toolId: "t1" });
    state = liveReducer(state, { type: "request_failed", toolId: "t1", error: "Tool not found" });
    expect(state.tools[0].status).toBe("pending");
    expect(state.error).toBe("Tool not found");
    state = liveReducer(state, { type: "tool_decided", toolId: "t1", skipped: true });
    expect(state.tools).toEqual([]);
  });

  it("restores generation and pending tools from the connected event", () => {
    const state = apply(initialLiveState(), {
      type: "connected",
      session_id: "s2",
      generating: false,
      pending_tools: [{ tool_id: "t9", tooluse: toolUse, auto_confirm: false }],
    });
    expect(state.sessionId).toBe("s2");
    expect(state.connected).toBe(true);
    expect(state.tools.map((tool) => tool.toolId)).toEqual(["t9"]);
  });

  it("asks for a log reload after an interrupt cut a streamed reply, and on a reload error", () => {
    let state = apply(initialLiveState(), { type: "generation_started" }, { type: "generation_progress", token: "partial" });
    state = apply(state, { type: "interrupted" });
    expect(state.generating).toBe(false);
    expect(state.reloadRequests).toBe(1);
    state = liveReducer(state, { type: "log_loaded", conversation: { id: "c", name: "c", log: [user, { ...reply, content: "partial [INTERRUPTED]" }] } });
    expect(state.streaming).toBeNull();
    state = apply(state, { type: "error", error: "Missed events are no longer available: reload the conversation" });
    expect(state.reloadRequests).toBe(2);
    expect(state.error).toBeNull();
    state = apply(state, { type: "error", error: "Model failed: 500" });
    expect(state.error).toBe("Model failed: 500");
    expect(asksForReload({ error: "Model failed: 500" })).toBe(false);
  });

  it("follows renames from config_changed and hides hidden messages unless asked", () => {
    const state = apply(initialLiveState(), { type: "config_changed", config: { chat: { name: "Greeting" } }, changed_fields: ["name"] });
    expect(state.name).toBe("Greeting");
    const hidden: Message = { role: "system", content: "prompt", hide: true };
    expect(visibleMessages([hidden, user], false)).toEqual([user]);
    expect(visibleMessages([hidden, user], true)).toEqual([hidden, user]);
  });

  it("follows the auto-confirms left from connected, tool_pending and the server's answers", () => {
    let state = apply(initialLiveState(), { type: "connected", session_id: "s1", auto_confirm_left: "unlimited" });
    expect(state.autoConfirmLeft).toBe("unlimited");
    state = apply(state, { type: "tool_pending", tool_id: "t1", tooluse: toolUse, auto_confirm: true, auto_confirm_left: 1 });
    expect(state.autoConfirmLeft).toBe(1);
    state = apply(state, { type: "tool_pending", tool_id: "t2", tooluse: toolUse, auto_confirm: true });
    expect(state.autoConfirmLeft).toBe(1);
    state = liveReducer(state, { type: "auto_confirm_changed", left: 0 });
    expect(state.autoConfirmLeft).toBe(0);
  });
  it("keeps the agent's open questions: from connected and elicit_pending, until answered or interrupted", () => {
    const question = { elicit_id: "q1", elicit_type: "form" as const, prompt: "MCP Server 'x': who?", fields: [] };
    let state = apply(initialLiveState(), { type: "connected", session_id: "s1", pending_elicitations: [question] });
    expect(state.elicitations).toEqual([question]);
    state = apply(state, { type: "elicit_pending", ...question }, { type: "elicit_pending", ...question, elicit_id: "q2" });
    expect(state.elicitations.map((open) => open.elicit_id)).toEqual(["q1", "q2"]);
    state = liveReducer(state, { type: "elicitation_answered", elicitId: "q1" });
    expect(state.elicitations.map((open) => open.elicit_id)).toEqual(["q2"]);
    state = apply(state, { type: "interrupted" });
    expect(state.elicitations).toEqual([]);
  });

  it("counts MCP changes (a server's state, the conversation's mcp config) so the servers panel reloads", () => {
    const server = { name: "x", transport: "stdio" as const, source: { layer: "user" as const, files: [] }, target: "x", state: "running" as const, loaded: true, needsApproval: false, approved: false, tools: [] };
    let state = apply(initialLiveState(), { type: "mcp_server_status", server });
    expect(state.mcpChanges).toBe(1);
    state = apply(state, { type: "config_changed", config: { chat: {} }, changed_fields: ["name"] });
    expect(state.mcpChanges).toBe(1);
    state = apply(state, { type: "config_changed", config: { chat: {} }, changed_fields: ["mcp"] });
    expect(state.mcpChanges).toBe(2);
  });
});
