import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/client.js";
import { listConversations } from "../api/conversations.js";
import type { ConversationSummary } from "../api/types.js";
import { applyListChange, subscribeToListChanges } from "../conversation/list-events.js";
import { ConversationListItem } from "./ConversationListItem.js";

const pageSize = 50;

interface ListState {
  items: ConversationSummary[];
  nextCursor: string | null;
  loading: boolean;
  error: string | null;
}

export function ConversationList({ activeId }: { activeId: string | null }) {
  const [query, setQuery] = useState("");
  const [appliedQuery, setAppliedQuery] = useState("");
  const [list, setList] = useState<ListState>({ items: [], nextCursor: null, loading: true, error: null });
  const request = useRef<AbortController | null>(null);
  const sentinel = useRef<HTMLLIElement>(null);

  useEffect(() => {
    const timer = setTimeout(() => setAppliedQuery(query.trim()), 250);
    return () => clearTimeout(timer);
  }, [query]);

  const load = useCallback(async (cursor: string | null, search: string) => {
    request.current?.abort();
    const controller = new AbortController();
    request.current = controller;
    setList((current) => ({ ...current, loading: true, error: null }));
    try {
      const page = await listConversations({ cursor, query: search, limit: pageSize, signal: controller.signal });
      setList((current) => ({
        items: cursor ? [...current.items, ...page.conversations.filter((item) => !current.items.some((known) => known.id === item.id))] : page.conversations,
        nextCursor: page.next_cursor,
        loading: false,
        error: null,
      }));
    } catch (error) {
      if (controller.signal.aborted) return;
      const message = error instanceof ApiError ? error.message : "Could not load conversations.";
      setList((current) => ({ ...current, loading: false, error: message }));
    }
  }, []);

  useEffect(() => {
    void load(null, appliedQuery);
    return () => request.current?.abort();
  }, [appliedQuery, load]);

  useEffect(
    () => subscribeToListChanges((change) => setList((current) => ({ ...current, items: applyListChange(current.items, change) }))),
    [],
  );

  const loadMore = useCallback(() => {
    if (!list.loading && list.nextCursor) void load(list.nextCursor, appliedQuery);
  }, [list.loading, list.nextCursor, appliedQuery, load]);

  useEffect(() => {
    const target = sentinel.current;
    if (!target || !list.nextCursor) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadMore();
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [list.nextCursor, loadMore]);

  return (
    <div class="conversation-list">
      <div class="search">
        <label for="conversation-search" class="visually-hidden">
          Search conversations
        </label>
        <input
          id="conversation-search"
          type="search"
          placeholder="Search conversations"
          value={query}
          onInput={(event) => setQuery(event.currentTarget.value)}
        />
      </div>
      <ul class="conversation-items" aria-busy={list.loading ? "true" : "false"}>
        {list.items.map((conversation) => (
          <ConversationListItem key={conversation.id} conversation={conversation} active={conversation.id === activeId} query={appliedQuery} />
        ))}
        {list.nextCursor && (
          <li ref={sentinel} class="load-more">
            <button type="button" class="button-quiet button-small" onClick={loadMore} disabled={list.loading}>
              {list.loading ? "Loading…" : "Load more"}
            </button>
          </li>
        )}
      </ul>
      <p class="list-status" role="status">
        {list.error
          ? list.error
          : list.loading && list.items.length === 0
            ? "Loading conversations…"
            : !list.loading && list.items.length === 0
              ? appliedQuery
                ? `No conversations match “${appliedQuery}”.`
                : "No conversations yet."
              : ""}
      </p>
    </div>
  );
}
