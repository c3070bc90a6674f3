import type { LiveState } from "../conversation/live-state.js";

/** One short sentence for screen readers about what the agent is doing; the log itself stays quiet while streaming. */
export function LiveStatus({ state }: { state: LiveState }) {
  const waiting = state.tools.find((tool) => tool.status === "pending");
  const running = state.tools.find((tool) => tool.status === "executing");
  const text = waiting
    ? `Waiting for your decision to run ${waiting.tooluse.tool}.`
    : running
      ? `Running ${running.tooluse.tool}.`
      : state.generating || state.stepPending
        ? "Assistant is replying."
        : !state.connected && state.sessionId
          ? "Connection lost, reconnecting…"
          : "";
  return (
    <p class={`live-status${text && !state.connected ? " visible" : ""}`} role="status" aria-live="polite">
      {text}
    </p>
  );
}
