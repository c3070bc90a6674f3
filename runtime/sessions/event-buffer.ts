/**
 * A bounded, numbered log of one conversation's events, replayable from any id it still holds.
 * Bounded by count and by size, per conversation and (through a shared EventMemory) across all of
 * them, so what clients post cannot grow the server without limit.
 */
import { NumberQueue } from "./number-queue.js";
import { fitsUtf8, TokenQueue } from "./token-queue.js";
import type { NumberedEvent, SessionEvent } from "./types.js";

export interface EventBufferLimits {
  /** Events kept per conversation (default 2 000). */
  maxEvents?: number;
  /** Approximate bytes kept per conversation (default 4 MiB); a larger event is sent live but never kept. */
  maxBytes?: number;
}

export const defaultEventLimits = { maxEvents: 2000, maxBytes: 4 * 1024 * 1024, totalBytes: 64 * 1024 * 1024 };

/** An event's approximate size in memory: its JSON length (tokens are counted without serializing). */
export function eventSize(event: SessionEvent): number {
  if (event.type === "generation_progress") return event.token.length + 48;
  return JSON.stringify(event).length;
}

/** The budget every conversation's buffer shares; over it, the oldest events anywhere go first. */
export class EventMemory {
  private used = 0;
  private sequence = 0;
  private readonly buffers = new Set<EventBuffer>();

  constructor(readonly totalBytes = defaultEventLimits.totalBytes) {}

  get usedBytes(): number {
    return this.used;
  }

  /** @internal for EventBuffer */
  track(buffer: EventBuffer, sizeDelta: number): number {
    this.buffers.add(buffer);
    this.used += sizeDelta;
    return ++this.sequence;
  }

  /** @internal for EventBuffer */
  release(buffer: EventBuffer, size: number, empty: boolean): void {
    this.used -= size;
    if (empty) this.buffers.delete(buffer);
  }

  /** @internal for EventBuffer */
  enforce(): void {
    while (this.used > this.totalBytes) {
      let oldest: EventBuffer | undefined;
      for (const buffer of this.buffers) {
        if (oldest === undefined || buffer.oldestSequence < oldest.oldestSequence) oldest = buffer;
      }
      if (!oldest || !oldest.evictOldest()) return;
    }
  }
}

/**
 * The events in off-heap queues rather than an object or array slot per event, ids implied by
 * position: each event's kind, size and sequence are numbers in typed arrays, and a token event is
 * the number of its text in an off-heap TokenQueue. With 200 streams every retained token string
 * survived the young generation and was promoted, and so did each growth of a plain array of the
 * events (a new backing store per growth, alive as long as the conversation): each object or pointer
 * more made the scavenges that pause all streams longer.
 */
export class EventBuffer {
  /**
   * Per event, oldest first: a `generation_progress` event as its token's number in `tokens` (>= 0),
   * any other as -1 - its number in `objects`.
   */
  private readonly kinds = new NumberQueue();
  private readonly tokens = new TokenQueue();
  /** The events not kept as tokens (a few per reply), oldest first; `objects[0]` is number `firstObject`. */
  private readonly objects: SessionEvent[] = [];
  private firstObject = 0;
  private readonly sizes = new NumberQueue();
  /** Order across every buffer sharing the memory: the smallest is the oldest. */
  private readonly sequences = new NumberQueue();
  /** The id of the oldest kept event. */
  private firstId = 1;
  private lastId = 0;
  private bytes = 0;
  private readonly maxEvents: number;
  private readonly maxBytes: number;

  constructor(
    limits: EventBufferLimits = {},
    private readonly memory: EventMemory = new EventMemory(),
  ) {
    this.maxEvents = limits.maxEvents ?? defaultEventLimits.maxEvents;
    this.maxBytes = Math.min(limits.maxBytes ?? defaultEventLimits.maxBytes, memory.totalBytes);
  }

  push(event: SessionEvent): NumberedEvent {
    const numbered = { id: ++this.lastId, event };
    const size = eventSize(event);
    if (size > this.maxBytes) {
      // Kept nowhere: a client resuming from before it must reload, so nothing older is worth keeping.
      this.clear();
      this.firstId = this.lastId + 1;
      return numbered;
    }
    if (this.kinds.length === 0) this.firstId = this.lastId;
    if (event.type === "generation_progress" && fitsUtf8(event.token)) {
      this.kinds.push(this.tokens.push(event.token));
    } else {
      this.kinds.push(-1 - (this.firstObject + this.objects.length));
      this.objects.push(event);
    }
    this.sizes.push(size);
    this.sequences.push(this.memory.track(this, size));
    this.bytes += size;
    while (this.kinds.length > this.maxEvents || this.bytes > this.maxBytes) this.evictOldest();
    this.memory.enforce();
    return numbered;
  }

  get latestId(): number {
    return this.lastId;
  }

  /** Approximate bytes held. */
  get size(): number {
    return this.bytes;
  }

  /** @internal for EventMemory: Infinity when empty. */
  get oldestSequence(): number {
    return this.sequences.peek() ?? Number.POSITIVE_INFINITY;
  }

  /** Drops the oldest event; false when there is none. */
  evictOldest(): boolean {
    const kind = this.kinds.shift();
    if (kind === undefined) return false;
    if (kind >= 0) {
      this.tokens.shift();
    } else {
      this.objects.shift();
      this.firstObject += 1;
    }
    this.sequences.shift();
    const size = this.sizes.shift()!;
    this.firstId += 1;
    this.bytes -= size;
    this.memory.release(this, size, this.kinds.length === 0);
    return true;
  }

  /** Forgets every event (the numbering goes on). */
  clear(): void {
    while (this.evictOldest());
  }

  /** Events after `id`; `missed` when some of them have already been dropped (or the id is from the future). */
  after(id: number): { events: NumberedEvent[]; missed: boolean } {
    if (id > this.lastId) return { events: [], missed: true };
    const oldest = this.kinds.length > 0 ? this.firstId : this.lastId + 1;
    const missed = id + 1 < oldest;
    const events: NumberedEvent[] = [];
    for (let index = Math.max(0, id + 1 - this.firstId); index < this.kinds.length; index++) {
      const kind = this.kinds.at(index)!;
      const event = kind >= 0 ? { type: "generation_progress" as const, token: this.tokens.at(kind) } : this.objects[-1 - kind - this.firstObject]!;
      events.push({ id: this.firstId + index, event });
    }
    return { events, missed };
  }
}
