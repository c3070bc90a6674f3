import type { LiveState } from "../conversation/live-state.js";

/** One short sentence for screen readers about what the agent is doing; the log itself stays quiet while streaming. */
export function LiveStatus({ state }: { state: LiveState }) {
  const waiting = state.tools.find((tool) => tool.status === "pending");
  const running = state.tools.find((tool) => tool.status === "executing");
  // Losing the connection is the one state sighted users need told about as well.
  const reconnecting = !state.connected && state.sessionId !== null;
  const text = reconnecting
    ? "Connection lost, reconnecting…"
    : waiting
      ? `Waiting for your decision to run ${waiting.tooluse.tool}.`
      : running
        ? `Running ${running.tooluse.tool}.`
        : state.generating || state.stepPending
          ? "Assistant is replying."
          : "";
  return (
    <p class={`live-status${reconnecting ? " visible" : ""}`} role="status" aria-live="polite">
      {text}
    </p>
  );
}
