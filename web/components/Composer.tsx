import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { Icon } from "./Icon.js";

interface ComposerProps {
  busy: boolean;
  onSend(content: string): Promise<boolean>;
  onInterrupt?: () => void;
  placeholder?: string;
  autoFocus?: boolean;
  /** Controls shown beside the send button (the model picker). */
  toolbar?: ComponentChildren;
}

const maximumHeight = 240;

export function Composer({ busy, onSend, onInterrupt, placeholder = "Send a message", autoFocus, toolbar }: ComposerProps) {
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (autoFocus) input.current?.focus();
  }, [autoFocus]);

  useLayoutEffect(() => {
    const area = input.current;
    if (!area) return;
    area.style.height = "auto";
    area.style.height = `${Math.min(area.scrollHeight, maximumHeight)}px`;
  }, [text]);

  const submit = async () => {
    const content = text.trim();
    if (!content || sending || busy) return;
    setSending(true);
    try {
      if (await onSend(content)) setText("");
    } finally {
      setSending(false);
      input.current?.focus();
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void submit();
    }
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label for="composer-input" class="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-input"
        ref={input}
        rows={1}
        value={text}
        placeholder={placeholder}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={onKeyDown}
        aria-describedby="composer-hint"
      />
      <div class="composer-toolbar">
        {toolbar}
        <span id="composer-hint" class="composer-hint">
          Enter to send · Shift+Enter for a new line{onInterrupt ? " · Esc to stop" : ""}
        </span>
        {busy && onInterrupt ? (
          <button type="button" class="button button-danger" onClick={onInterrupt}>
            <Icon name="stop" size={16} /> Stop
          </button>
        ) : (
          <button type="submit" class="button button-primary" disabled={!text.trim() || sending}>
            <Icon name="send" size={16} /> Send
          </button>
        )}
      </div>
    </form>
  );
}
