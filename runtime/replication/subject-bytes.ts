/**
 * The byte bound of one conversation's events in the JetStream stream, as a single server bounds
 * its event buffer (4 MiB per conversation). JetStream bounds bytes per stream, not per subject, so
 * every event carries the conversation's byte offset before it (`Gptme-Event-Offset`): the bytes a
 * subject holds are the last event's end minus the first kept event's offset, whichever replica
 * published them. Over the bound, the oldest events of that subject are purged down to three
 * quarters of it (a purge costs a binary search of about twenty lookups, so not one per event).
 */
import type { JetStreamManager, MsgRequest, StoredMsg } from "@nats-io/jetstream";

export const eventOffsetHeader = "Gptme-Event-Offset";

/**
 * What JetStream counts for a stored event, rounded up: the payload, the subject, our headers and
 * the expected-last-sequence header (measured: 110 bytes beside a 34-byte subject and an empty
 * payload; 128 leaves room for longer numbers).
 */
export function storedSize(subject: string, payloadBytes: number): number {
  return payloadBytes + subject.length + 128;
}

/** Where a kept event starts and ends in its conversation's bytes. */
export interface EventSpan {
  sequence: number;
  start: number;
  end: number;
}

export function spanOf(subject: string, message: StoredMsg): EventSpan {
  const start = Number(message.header.get(eventOffsetHeader)) || 0;
  return { sequence: message.seq, start, end: start + storedSize(subject, message.data.length) };
}

export class SubjectBytes {
  /** The first kept event of each subject, as last seen by this process (an older one only makes it trim early). */
  private readonly firsts = new Map<string, EventSpan | null>();

  constructor(
    private readonly manager: JetStreamManager,
    private readonly stream: string,
    /** Bytes one conversation may hold. */
    private readonly maxBytes: number,
  ) {}

  /** The subject's first event at or after `sequence` (null: none). */
  private async firstFrom(subject: string, sequence: number): Promise<EventSpan | null> {
    const message = await this.manager.streams
      .getMessage(this.stream, { seq: sequence, next_by_subj: subject } as unknown as MsgRequest)
      .catch(() => null);
    return message ? spanOf(subject, message) : null;
  }

  /**
   * Makes room for an event of `size` bytes after `last` (the subject's last event, or null):
   * when the subject would pass its bound, purges its oldest events until what is left and the
   * new event fit in three quarters of the bound. Call in turn with the subject's publishes.
   */
  async makeRoom(subject: string, last: EventSpan | null, size: number): Promise<void> {
    if (!last) return;
    let first = this.firsts.get(subject);
    if (!first) {
      first = await this.firstFrom(subject, 1);
      this.firsts.set(subject, first);
    }
    if (!first || last.end + size - first.start <= this.maxBytes) return;
    // Keep the events that start at or after `boundary`: the smallest such sequence, found by bisection.
    const boundary = last.end + size - Math.floor((this.maxBytes * 3) / 4);
    let low = first.sequence;
    let high = last.sequence + 1;
    let kept: EventSpan | null = null;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const found = await this.firstFrom(subject, middle);
      if (!found || found.sequence > last.sequence) {
        high = middle;
      } else if (found.start >= boundary) {
        kept = found;
        high = middle;
      } else {
        low = found.sequence + 1;
      }
    }
    if (kept && kept.sequence <= first.sequence && kept.start >= boundary) {
      // Nothing older than the boundary is kept any more (another replica or the age limit removed it).
      this.firsts.set(subject, kept);
      return;
    }
    if (kept) await this.manager.streams.purge(this.stream, { filter: subject, seq: kept.sequence });
    else await this.manager.streams.purge(this.stream, { filter: subject });
    this.firsts.set(subject, kept);
  }

  /** Notes an event just published (the subject's first one, when it had none). */
  published(subject: string, span: EventSpan): void {
    if (!this.firsts.get(subject)) this.firsts.set(subject, span);
  }

  /** Forgets what it knows of a subject (an idle conversation). */
  forget(subject: string): void {
    this.firsts.delete(subject);
  }
}
