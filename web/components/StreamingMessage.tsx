import { Markdown } from "./Markdown.js";

/** The reply while it streams: `aria-busy` keeps screen readers from reading every token; the final message is announced once. */
export function StreamingMessage({ text, fileUrl }: { text: string; fileUrl(path: string): string }) {
  return (
    <article class="message message-assistant message-streaming" aria-label="Assistant is replying" aria-busy="true">
      <div class="message-meta">
        <span class="message-role">Assistant</span>
        <span class="typing" aria-hidden="true">
          <span />
          <span />
          <span />
        </span>
      </div>
      {text ? <Markdown source={text} fileUrl={fileUrl} /> : <p class="muted">Thinking…</p>}
    </article>
  );
}
