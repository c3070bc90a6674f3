import { useEffect, useRef, useState } from "preact/hooks";

interface RenameFormProps {
  name: string;
  onSave(name: string): Promise<void>;
  onCancel(): void;
}

export function RenameForm({ name, onSave, onCancel }: RenameFormProps) {
  const [value, setValue] = useState(name);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.select(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = value.trim();
    if (!trimmed || trimmed === name) return onCancel();
    try {
      await onSave(trimmed);
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
    }
  };

  return (
    <form class="rename-form" onSubmit={submit}>
      <label for="rename-input" class="visually-hidden">
        Conversation name
      </label>
      <input
        id="rename-input"
        ref={input}
        value={value}
        onInput={(event) => setValue(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.stopPropagation();
            onCancel();
          }
        }}
        aria-invalid={error ? "true" : undefined}
      />
      <button type="submit" class="button button-primary button-small">
        Save
      </button>
      <button type="button" class="button-quiet button-small" onClick={onCancel}>
        Cancel
      </button>
      {error && (
        <span class="form-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
