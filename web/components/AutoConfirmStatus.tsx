import type { AutoConfirmLeft } from "../api/types.js";

/** Auto-confirm, once on, stays in view with how many tools are left and a way to turn it off. */
export function AutoConfirmStatus({ left, onTurnOff }: { left: AutoConfirmLeft; onTurnOff(): void }) {
  if (left === 0) return null;
  const text = left === "unlimited" ? "Auto-confirming every tool" : `Auto-confirming the next ${left} ${left === 1 ? "tool" : "tools"}`;
  return (
    <div class="auto-confirm-status" role="status">
      <span class="auto-confirm-dot" aria-hidden="true" />
      <span>{text}</span>
      <button type="button" class="button-quiet button-small" onClick={onTurnOff}>
        Turn off
      </button>
    </div>
  );
}
