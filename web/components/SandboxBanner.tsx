import { useState } from "preact/hooks";
import type { SandboxReport } from "../api/types.js";
import { sandboxWarning } from "../conversation/sandbox.js";
import { Icon } from "./Icon.js";

const dismissedKey = "gptme.sandbox-warning-dismissed";

function wasDismissed(warning: string): boolean {
  try {
    return sessionStorage.getItem(dismissedKey) === warning;
  } catch {
    return false;
  }
}

/** A warning when tools are not isolated (or the server says why to worry); dismissible for this tab. */
export function SandboxBanner({ report }: { report: SandboxReport | null }) {
  const warning = sandboxWarning(report);
  const [dismissed, setDismissed] = useState(() => (warning ? wasDismissed(warning) : false));
  if (!warning || dismissed) return null;
  const dismiss = () => {
    try {
      sessionStorage.setItem(dismissedKey, warning);
    } catch {
      // Storage may be off: dismissing still works until the next reload.
    }
    setDismissed(true);
  };
  return (
    <div class="banner banner-warning banner-sandbox" role="status">
      <span>
        <strong>Sandbox warning.</strong> {warning}
      </span>
      <button type="button" class="button-icon" onClick={dismiss} aria-label="Dismiss sandbox warning">
        <Icon name="close" size={16} />
      </button>
    </div>
  );
}
