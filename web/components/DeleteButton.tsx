import { useEffect, useRef, useState } from "preact/hooks";
import { Icon } from "./Icon.js";

/** Two steps instead of `window.confirm`, which blocks the page and cannot be styled or tested reliably. */
export function DeleteButton({ onDelete }: { onDelete(): Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmButton.current?.focus();
  }, [asking]);

  if (!asking) {
    return (
      <button type="button" class="button-icon" onClick={() => setAsking(true)} aria-label="Delete conversation" title="Delete conversation">
        <Icon name="trash" />
      </button>
    );
  }
  return (
    <span class="delete-confirm" role="group" aria-label="Confirm deletion">
      <button
        ref={confirmButton}
        type="button"
        class="button button-danger button-small"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await onDelete();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        Delete for good
      </button>
      <button type="button" class="button-quiet button-small" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}
