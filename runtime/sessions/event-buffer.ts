/** A bounded, numbered log of one conversation's events, replayable from any id it still holds. */
import type { NumberedEvent, SessionEvent } from "./types.js";

export class EventBuffer {
  private readonly events: NumberedEvent[] = [];
  private lastId = 0;

  constructor(private readonly capacity = 2000) {}

  push(event: SessionEvent): NumberedEvent {
    const numbered = { id: ++this.lastId, event };
    this.events.push(numbered);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    return numbered;
  }

  get latestId(): number {
    return this.lastId;
  }

  /** Events after `id`; `missed` when some of them have already been dropped (or the id is from the future). */
  after(id: number): { events: NumberedEvent[]; missed: boolean } {
    if (id > this.lastId) return { events: [], missed: true };
    const oldest = this.events[0]?.id ?? this.lastId + 1;
    const missed = id + 1 < oldest;
    return { events: this.events.filter((event) => event.id > id), missed };
  }
}
