/**
 * `GET .../events`: gptme's SSE payloads (`data: {"type": ...}`), plus an `id:` on every frame so a
 * reconnect with `Last-Event-ID` gets exactly the events it missed.
 */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { NotFoundError } from "../runtime/errors.js";
import type { NumberedEvent, SessionEvent } from "../runtime/sessions/types.js";
import type { AppEnvironment } from "./bindings.js";
import { FrameChannel } from "./frame-channel.js";
import { ConversationParams, errorResponses } from "./schemas/common.js";
import { EventSchema } from "./schemas/events.js";

type AppContext = Context<AppEnvironment>;

const pingIntervalMs = 15_000;

/**
 * An event's JSON; a token's is written from its text alone (the same bytes JSON.stringify gives
 * the `{ type, token }` object), which skips walking an object on every token of every stream.
 */
export function eventJson(event: SessionEvent): string {
  return event.type === "generation_progress"
    ? `{"type":"generation_progress","token":${JSON.stringify(event.token)}}`
    : JSON.stringify(event);
}

function parseEventId(value: string | undefined): number | null {
  if (value === undefined || value.trim() === "") return null;
  const number = Number(value.trim());
  return Number.isInteger(number) && number >= 0 ? number : null;
}

export class ConversationEvents extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["sessions"],
    summary: "Server-sent events of a conversation",
    description:
      "Each frame is `id: N` + `data: <event JSON>`. The first is `connected` (with the session id and the " +
      "current state). Send `Last-Event-ID` (or `?last_event_id=`) to resume: the missed events are replayed, " +
      "or an `error` asks the client to reload when the buffer no longer reaches back. `ping` every 15 s.",
    request: {
      params: ConversationParams,
      query: z.object({
        session_id: z.string().optional(),
        last_event_id: z.string().optional(),
        token: z.string().optional().describe("Auth token, for EventSource"),
      }),
    },
    responses: {
      "200": { description: "Event stream", content: { "text/event-stream": { schema: EventSchema } } },
      ...errorResponses(401, 403, 404),
    },
  };

  async handle(c: AppContext) {
    const { params, query } = await this.getValidatedData<typeof this.schema>();
    const conversationId = params.id;
    if (!(await c.env.store.get(conversationId))) throw new NotFoundError(`Conversation not found: ${conversationId}`);
    const sessions = c.env.sessions;
    const session = query.session_id
      ? sessions.require(conversationId, query.session_id)
      : sessions.create(conversationId);
    const lastEventId = parseEventId(c.req.header("last-event-id") ?? query.last_event_id);
    const channel = new FrameChannel();
    void (async () => {
      const streamClosed = c.env.metrics?.streamOpened();
      // Events are written as they come while the client keeps up (no hop through the loop below);
      // they queue only before the replay is out or behind a full socket buffer, and the loop sends
      // the queue in order, waiting for the client.
      const queue: NumberedEvent[] = [];
      let flowing = false;
      let wake: (() => void) | null = null;
      let closed = false;
      const notify = () => {
        wake?.();
        wake = null;
      };
      // JSON.stringify never writes a raw newline, so one `data:` line holds the whole event.
      const write = (event: SessionEvent, id?: number) => {
        const json = eventJson(event);
        channel.write(id !== undefined ? `data: ${json}\nid: ${id}\n\n` : `data: ${json}\n\n`);
      };
      const send = (event: SessionEvent, id?: number) => {
        write(event, id);
        return channel.drained();
      };
      const arrive = (event: NumberedEvent) => {
        if (closed) return;
        if (flowing && !channel.backedUp) {
          write(event.event, event.id >= 0 ? event.id : undefined);
          return;
        }
        flowing = false;
        queue.push(event);
        notify();
      };
      const subscription = sessions.subscribe(conversationId, lastEventId, arrive, () => {
        closed = true;
        notify();
      });
      channel.onAbort(() => {
        closed = true;
        notify();
      });
      try {
        const state = sessions.state(conversationId);
        await send({
          type: "connected",
          session_id: session.id,
          generating: state.generating,
          last_error: state.lastError,
          pending_tools: state.pendingTools,
          auto_confirm_left: state.autoConfirmLeft,
          pending_elicitations: c.env.elicitations.pending(conversationId),
        });
        if (subscription.missed) {
          await send({ type: "error", error: "Missed events are no longer available: reload the conversation" });
        }
        for (const event of subscription.replay) await send(event.event, event.id);
        await send({ type: "ping" });
        // One interval per stream for keep-alives, instead of a timer armed and cleared per event.
        const keepAlive = setInterval(() => arrive({ id: -1, event: { type: "ping" } }), pingIntervalMs);
        try {
          while (!closed) {
            while (queue.length > 0 && !closed) {
              const next = queue.shift()!;
              await send(next.event, next.id >= 0 ? next.id : undefined);
            }
            if (closed) break;
            const woken = new Promise<void>((resolve) => (wake = resolve));
            flowing = true;
            await woken;
          }
        } finally {
          clearInterval(keepAlive);
        }
      } finally {
        subscription.unsubscribe();
        streamClosed?.();
        channel.close();
      }
    })();
    return channel.response({ "Cache-Control": "no-cache", "X-Accel-Buffering": "no", Connection: "keep-alive" });
  }
}
