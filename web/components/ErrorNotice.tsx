import { Icon } from "./Icon.js";

export function ErrorNotice({ message, onDismiss }: { message: string; onDismiss(): void }) {
  return (
    <div class="error-notice" role="alert">
      <span>{message}</span>
      <button type="button" class="button-icon" onClick={onDismiss} aria-label="Dismiss error">
        <Icon name="close" size={16} />
      </button>
    </div>
  );
}
