/**
 * Every conversation's live events in one NATS JetStream stream, a subject per conversation, so an
 * SSE client on any replica sees the same numbered events and `Last-Event-ID` replays across
 * replicas. Event ids stay 1, 2, 3... per conversation, whoever publishes: a publisher numbers its
 * event after the last one on the subject and publishes it only if that is still the last one
 * (JetStream's expected-last-subject-sequence check); when another replica got there first, it
 * reads the new last event and numbers again.
 */
import { DeliverPolicy, DiscardPolicy, type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { defaultEventLimits } from "../sessions/event-buffer.js";
import type { NumberedEvent, SessionEvent } from "../sessions/types.js";
import { eventOffsetHeader, type EventSpan, SubjectBytes, spanOf, storedSize } from "./subject-bytes.js";

export interface EventRetention {
  /** Events kept per conversation (default 2 000, as a single server keeps). */
  maxEventsPerConversation: number;
  /** Bytes kept per conversation; over it, its oldest events go (default 4 MiB, as a single server keeps). */
  maxBytesPerConversation: number;
  /** How long an event is kept (default one hour, as a single server forgets an idle conversation). */
  maxAgeMs: number;
  /** Bytes the whole stream may hold; the oldest events anywhere go first (default 64 MiB, as a single server's buffers together). */
  maxBytes: number;
}

export const defaultRetention: EventRetention = {
  maxEventsPerConversation: defaultEventLimits.maxEvents,
  maxBytesPerConversation: defaultEventLimits.maxBytes,
  maxAgeMs: 60 * 60 * 1000,
  maxBytes: defaultEventLimits.totalBytes,
};

/** Room NATS needs beside an event's payload in one message (subject, headers, protocol). */
const messageHeadroom = 4 * 1024;

const eventIdHeader = "Gptme-Event-Id";
const expectedLastHeader = "Nats-Expected-Last-Subject-Sequence";
/** JetStream's "wrong last sequence" error code. */
const wrongLastSequence = 10071;

export const missedEventsMessage = "Missed events are no longer available: reload the conversation";

/** A NATS subject token for any conversation id (ids may hold dots and other characters subjects cannot). */
export function subjectToken(conversationId: string): string {
  return Buffer.from(conversationId, "utf8").toString("base64url") || "_";
}

interface SubjectState {
  /** The stream sequence of the subject's last event (0: none). */
  sequence: number;
  /** Its event id (0: none). */
  id: number;
  /** Where it starts and ends in the conversation's bytes (null: none). */
  span: EventSpan | null;
}

/** What a client gets instead of an event too large to go through NATS: the stored conversation has it. */
export const eventTooLargeMessage = "An event was too large to relay between server replicas: reload the conversation";

export class ReplicatedEventLog {
  private readonly js: JetStreamClient;
  private readonly last = new Map<string, SubjectState>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly subscriptions = new Set<{ stop(): void }>();
  private readonly bytes: SubjectBytes;
  /** The largest event stored as it is (bigger ones are replaced by a notice to reload). */
  private readonly maxEventBytes: number;

  private constructor(
    connection: NatsConnection,
    private readonly manager: JetStreamManager,
    readonly stream: string,
    retention: EventRetention,
  ) {
    this.js = jetstream(connection);
    this.bytes = new SubjectBytes(manager, stream, retention.maxBytesPerConversation);
    this.maxEventBytes = Math.min(retention.maxBytesPerConversation, (connection.info?.max_payload ?? 1024 * 1024) - messageHeadroom);
  }

  /** Creates the stream (or brings its limits up to date) and returns the log on it. */
  static async open(connection: NatsConnection, stream = "GPTME_EVENTS", retention: EventRetention = defaultRetention): Promise<ReplicatedEventLog> {
    const manager = await jetstreamManager(connection);
    const config = {
      name: stream,
      subjects: [`${stream.toLowerCase()}.events.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_msgs_per_subject: retention.maxEventsPerConversation,
      max_age: retention.maxAgeMs * 1_000_000,
      max_bytes: retention.maxBytes,
      max_msg_size: Math.min(retention.maxBytesPerConversation, connection.info?.max_payload ?? retention.maxBytesPerConversation),
      num_replicas: 1,
    };
    try {
      await manager.streams.info(stream);
      await manager.streams.update(stream, config);
    } catch {
      await manager.streams.add(config);
    }
    return new ReplicatedEventLog(connection, manager, stream, retention);
  }

  private subject(conversationId: string): string {
    return `${this.stream.toLowerCase()}.events.${subjectToken(conversationId)}`;
  }

  private async readLast(subject: string): Promise<SubjectState> {
    const message = await this.manager.streams.getMessage(this.stream, { last_by_subj: subject }).catch(() => null);
    if (!message) return { sequence: 0, id: 0, span: null };
    return { sequence: message.seq, id: Number(message.header.get(eventIdHeader)) || 0, span: spanOf(subject, message) };
  }

  /**
   * Publishes the event as the conversation's next one; resolves with its id. Events of one
   * conversation from this process go out in call order. `allowed` is asked right before each
   * attempt: a publisher that lost its lease publishes nothing more.
   */
  publish(conversationId: string, event: SessionEvent, allowed: () => boolean = () => true): Promise<number | null> {
    const subject = this.subject(conversationId);
    return this.inTurn(subject, () => this.publishNow(subject, event, allowed));
  }

  /** Runs `task` after this process's earlier publishes (and subscription starts) of the subject. */
  private inTurn<T>(subject: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(subject) ?? Promise.resolve();
    const next = previous.then(task);
    const tail = next.catch(() => undefined);
    this.queues.set(subject, tail);
    void tail.then(() => {
      if (this.queues.get(subject) === tail) this.queues.delete(subject);
    });
    return next;
  }

  private async publishNow(subject: string, event: SessionEvent, allowed: () => boolean): Promise<number | null> {
    let payload = Buffer.from(JSON.stringify(event), "utf8");
    if (payload.byteLength > this.maxEventBytes) {
      // As a single server keeps no event larger than a conversation's bound; here it cannot even be sent.
      payload = Buffer.from(JSON.stringify({ type: "error", error: eventTooLargeMessage } satisfies SessionEvent), "utf8");
    }
    const size = storedSize(subject, payload.byteLength);
    let state = this.last.get(subject) ?? (await this.readLast(subject));
    for (let attempt = 0; attempt < 50; attempt += 1) {
      if (!allowed()) return null;
      await this.bytes.makeRoom(subject, state.span, size);
      const id = state.id + 1;
      const start = state.span?.end ?? 0;
      const header = headers();
      header.set(eventIdHeader, String(id));
      header.set(eventOffsetHeader, String(start));
      header.set(expectedLastHeader, String(state.sequence));
      try {
        const ack = await this.js.publish(subject, payload, { headers: header });
        const span = { sequence: ack.seq, start, end: start + size };
        state = { sequence: ack.seq, id, span };
        this.last.set(subject, state);
        this.bytes.published(subject, span);
        return id;
      } catch (error) {
        if ((error as { api_error?: { err_code?: number } }).api_error?.err_code !== wrongLastSequence && !/wrong last sequence/i.test(String(error))) {
          throw error;
        }
        state = await this.readLast(subject);
      }
    }
    throw new Error("could not publish an event: other replicas kept publishing first");
  }

  /**
   * Delivers the conversation's events, in order: with `lastEventId`, those after it that are still
   * kept (and a `missed` notice first when some are not); without, those published from now on.
   */
  subscribe(conversationId: string, lastEventId: number | null, listener: (event: NumberedEvent) => void): () => void {
    const subject = this.subject(conversationId);
    let stopped = false;
    let stopConsumer: (() => void) | null = null;
    const subscription = {
      stop: () => {
        stopped = true;
        stopConsumer?.();
      },
    };
    this.subscriptions.add(subscription);
    // "From now" is after the last event on the subject, read in turn with this process's publishes:
    // an event this process sends after subscribing is delivered, one it sent before is not.
    const now = lastEventId === null ? this.inTurn(subject, () => this.readLast(subject)) : null;
    void (async () => {
      let deliver: { deliver_policy: DeliverPolicy; opt_start_seq?: number } = { deliver_policy: DeliverPolicy.All };
      let lookingForMissed = false;
      if (now) {
        deliver = { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: (await now).sequence + 1 };
      } else if (lastEventId !== null) {
        const last = await this.readLast(subject);
        if (lastEventId > last.id) {
          listener({ id: -1, event: { type: "error", error: missedEventsMessage } });
          deliver = { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: last.sequence + 1 };
        } else if (lastEventId === last.id) {
          deliver = { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: last.sequence + 1 };
        } else {
          deliver = { deliver_policy: DeliverPolicy.All };
          lookingForMissed = true;
        }
      }
      if (stopped) return;
      const consumer = await this.js.consumers.get(this.stream, { filter_subjects: subject, ...deliver });
      const messages = await consumer.consume();
      stopConsumer = () => void messages.close();
      if (stopped) {
        stopConsumer();
        return;
      }
      for await (const message of messages) {
        if (stopped) break;
        const id = Number(message.headers?.get(eventIdHeader)) || 0;
        if (lastEventId !== null && id <= lastEventId) continue;
        if (lookingForMissed) {
          lookingForMissed = false;
          if (id > lastEventId! + 1) listener({ id: -1, event: { type: "error", error: missedEventsMessage } });
        }
        listener({ id, event: message.json<SessionEvent>() });
      }
    })()
      .catch((error: unknown) => {
        if (!stopped) console.error(`event subscription of ${conversationId} ended: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => this.subscriptions.delete(subscription));
    return () => {
      subscription.stop();
      this.subscriptions.delete(subscription);
    };
  }

  /** Ends every subscription and waits for this process's publishes in flight. */
  async close(): Promise<void> {
    for (const subscription of [...this.subscriptions]) subscription.stop();
    await Promise.allSettled([...this.queues.values()]);
  }
}
