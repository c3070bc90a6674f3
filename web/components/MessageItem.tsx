import type { Message } from "../api/types.js";
import { splitInterrupted } from "../conversation/interrupted.js";
import { usageOf } from "../conversation/usage.js";
import { FileAttachments } from "./FileAttachments.js";
import { Markdown } from "./Markdown.js";
import { UsageSummary } from "./UsageSummary.js";

const roleLabels = { user: "You", assistant: "Assistant", system: "System" } as const;

function formatTime(timestamp: string | undefined): string | null {
  if (!timestamp) return null;
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? null : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

interface MessageItemProps {
  message: Message;
  fileUrl(path: string): string;
}

export function MessageItem({ message, fileUrl }: MessageItemProps) {
  const label = roleLabels[message.role] ?? message.role;
  const time = formatTime(message.timestamp);
  const usage = message.role === "assistant" ? usageOf(message.metadata) : null;
  const model = typeof message.metadata?.model === "string" ? message.metadata.model : undefined;
  const { text, interrupted } = message.role === "assistant" ? splitInterrupted(message.content) : { text: message.content, interrupted: false };
  return (
    <article class={`message message-${message.role}${message.hide ? " message-hidden" : ""}`} aria-label={`${label} message`}>
      <div class="message-meta">
        <span class="message-role">{label}</span>
        {message.hide && <span class="tag">hidden</span>}
      </div>
      <Markdown source={text} fileUrl={fileUrl} />
      {interrupted && (
        <p class="message-marker marker-interrupted">
          <span class="marker-icon" aria-hidden="true" />
          Stopped: the reply was interrupted
        </p>
      )}
      {message.files && message.files.length > 0 && <FileAttachments files={message.files} fileUrl={fileUrl} />}
      {(time || usage || model) && (
        <div class="message-details">
          {time && <time dateTime={message.timestamp}>{time}</time>}
          {usage ? <UsageSummary usage={usage} label="This reply" model={model} /> : model && <span class="usage usage-model">{model}</span>}
        </div>
      )}
    </article>
  );
}
