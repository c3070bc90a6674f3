import type { ConversationSummary } from "../api/types.js";
import { splitInterrupted } from "../conversation/interrupted.js";
import { conversationTitle, splitAtMatch } from "../conversation/title.js";
import { relativeTime } from "../format.js";
import { conversationHref } from "../router.js";
import { Link } from "./Link.js";

function Highlighted({ text, query }: { text: string; query: string }) {
  const parts = splitAtMatch(text, query);
  if (!parts) return <>{text}</>;
  return (
    <>
      {parts[0]}
      <mark>{parts[1]}</mark>
      {parts[2]}
    </>
  );
}

interface ConversationListItemProps {
  conversation: ConversationSummary;
  active: boolean;
  /** The search the list shows results for ("" when none). */
  query: string;
}

export function ConversationListItem({ conversation, active, query }: ConversationListItemProps) {
  const messages = conversation.messages ?? 0;
  const title = conversationTitle(conversation);
  return (
    <li>
      <Link
        href={conversationHref(conversation.id)}
        class={`conversation-item${active ? " active" : ""}`}
        aria-current={active ? "page" : undefined}
        title={title === conversation.id ? undefined : conversation.id}
      >
        <span class="conversation-name">
          <Highlighted text={title} query={query} />
        </span>
        {query && conversation.search_snippet && (
          <span class="conversation-snippet">
            <Highlighted text={splitInterrupted(conversation.search_snippet).text} query={query} />
          </span>
        )}
        <span class="conversation-meta">
          {relativeTime(conversation.modified)} · {messages} {messages === 1 ? "message" : "messages"}
        </span>
      </Link>
    </li>
  );
}
