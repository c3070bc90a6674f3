/**
 * The conversation's SSE connection. Reconnects are done here rather than by EventSource itself, so
 * that every reconnect names the same session and the last applied event (`?session_id=&last_event_id=`)
 * and the server replays exactly what was missed; a refused reconnect is diagnosed (401, session lost
 * after a restart, conversation gone), and replayed events already applied are dropped.
 */
import { eventsUrl } from "../api/session.js";
import type { ServerEvent } from "../api/types.js";
import { RecentIds } from "./recent-ids.js";

export interface EventStreamHandlers {
  onEvent(event: ServerEvent): void;
  onDisconnected(): void;
  onUnauthorized(): void;
  onGone(message: string): void;
}

const firstRetryDelay = 500;
const maximumRetryDelay = 30_000;

export class ConversationEventStream {
  private source: EventSource | null = null;
  private lastEventId: string | null = null;
  private previousFrameId = "";
  private readonly seen = new RecentIds();
  private retryDelay = firstRetryDelay;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private readonly onOnline = () => this.retryNow();

  constructor(
    private readonly conversationId: string,
    private sessionId: string | null,
    private readonly handlers: EventStreamHandlers,
  ) {}

  start(): void {
    window.addEventListener("online", this.onOnline);
    this.open();
  }

  close(): void {
    this.closed = true;
    window.removeEventListener("online", this.onOnline);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = null;
  }

  get session(): string | null {
    return this.sessionId;
  }

  private open(): void {
    if (this.closed) return;
    this.previousFrameId = "";
    const source = new EventSource(eventsUrl(this.conversationId, this.sessionId, this.lastEventId), {
      withCredentials: true,
    });
    this.source = source;
    let received = false;
    source.onmessage = (message) => {
      received = true;
      this.receive(message);
    };
    source.onerror = () => {
      if (this.source !== source) return;
      source.close();
      this.source = null;
      this.handlers.onDisconnected();
      if (received) {
        // It worked until now: a dropped connection, so try again soon.
        this.retryDelay = firstRetryDelay;
        this.scheduleRetry(() => this.open());
      } else {
        void this.recover();
      }
    };
  }

  private receive(message: MessageEvent<string>): void {
    let event: ServerEvent;
    try {
      event = JSON.parse(message.data) as ServerEvent;
    } catch {
      return;
    }
    const id = message.lastEventId;
    // A frame without its own `id:` (connected, ping, a reload notice) repeats the previous frame's id.
    const ownId = id !== "" && id !== this.previousFrameId && event.type !== "connected" && event.type !== "ping";
    this.previousFrameId = id;
    if (ownId) {
      if (!this.seen.remember(id)) return;
      this.lastEventId = id;
    }
    if (event.type === "connected") {
      if (this.sessionId && event.session_id !== this.sessionId) this.seen.clear();
      this.sessionId = event.session_id;
    }
    this.handlers.onEvent(event);
  }

  /** A connection failed before any event: ask the same URL with fetch to learn why, then act on it. */
  private async recover(): Promise<void> {
    if (this.closed) return;
    const controller = new AbortController();
    let status: number;
    try {
      const response = await fetch(eventsUrl(this.conversationId, this.sessionId, this.lastEventId), {
        credentials: "same-origin",
        signal: controller.signal,
      });
      status = response.status;
      controller.abort();
    } catch {
      this.scheduleRetry();
      return;
    }
    if (this.closed) return;
    if (status === 401) {
      this.handlers.onUnauthorized();
    } else if (status === 404 && this.sessionId) {
      // The server forgot the session (restart or expiry): start a fresh one; `connected` triggers a log refetch.
      this.sessionId = null;
      this.lastEventId = null;
      this.seen.clear();
      this.open();
    } else if (status === 404 || status === 403) {
      this.handlers.onGone("This conversation no longer exists.");
    } else if (status >= 200 && status < 300) {
      this.scheduleRetry(() => this.open());
    } else {
      this.scheduleRetry();
    }
  }

  private scheduleRetry(then: () => void = () => void this.recover()): void {
    if (this.closed) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      then();
    }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, maximumRetryDelay);
  }

  private retryNow(): void {
    if (this.closed || this.source) return;
    this.retryDelay = firstRetryDelay;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    void this.recover();
  }
}
