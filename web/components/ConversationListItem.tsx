import type { ConversationSummary } from "../api/types.js";
import { relativeTime } from "../format.js";
import { conversationHref } from "../router.js";
import { Link } from "./Link.js";

export function ConversationListItem({ conversation, active }: { conversation: ConversationSummary; active: boolean }) {
  const messages = conversation.messages ?? 0;
  return (
    <li>
      <Link href={conversationHref(conversation.id)} class={`conversation-item${active ? " active" : ""}`} aria-current={active ? "page" : undefined}>
        <span class="conversation-name">{conversation.name || conversation.id}</span>
        <span class="conversation-meta">
          {relativeTime(conversation.modified)} · {messages} {messages === 1 ? "message" : "messages"}
        </span>
      </Link>
    </li>
  );
}
