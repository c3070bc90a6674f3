import { useState } from "preact/hooks";
import type { ModelList } from "../api/types.js";
import { Composer } from "./Composer.js";
import { ErrorNotice } from "./ErrorNotice.js";
import { Icon } from "./Icon.js";
import { ModelPicker } from "./ModelPicker.js";

interface NewConversationProps {
  models: ModelList;
  onStart(content: string, model: string): Promise<void>;
  onOpenDrawer?: () => void;
}

export function NewConversation({ models, onStart, onOpenDrawer }: NewConversationProps) {
  const [model, setModel] = useState(models.default ?? models.models[0]?.id ?? "");
  const [error, setError] = useState<string | null>(null);

  const send = async (content: string) => {
    setError(null);
    try {
      await onStart(content, model);
      return true;
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
      return false;
    }
  };

  return (
    <section class="conversation new-conversation" aria-labelledby="new-conversation-title">
      <header class="conversation-header">
        {onOpenDrawer && (
          <button type="button" class="button-icon" onClick={onOpenDrawer} aria-label="Open conversation list" aria-controls="conversation-drawer">
            <Icon name="menu" />
          </button>
        )}
        <h1 id="new-conversation-title" class="conversation-title">
          New conversation
        </h1>
      </header>
      <div class="welcome">
        <p class="welcome-title">What should we work on?</p>
        <p class="muted">gptme can write and run code, edit files and use the shell in the conversation's workspace. You confirm each tool before it runs.</p>
      </div>
      {error && <ErrorNotice message={error} onDismiss={() => setError(null)} />}
      <Composer busy={false} onSend={send} autoFocus placeholder="Ask gptme anything" toolbar={<ModelPicker models={models} value={model} onChange={setModel} />} />
    </section>
  );
}
