/** A bounded set of event ids already applied, so a replay after reconnect never applies an event twice. */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 2000) {}

  /** True when the id is new (and remembers it); false for a duplicate. */
  remember(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }

  clear(): void {
    this.ids.clear();
  }
}
