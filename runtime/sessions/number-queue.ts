/**
 * A first-in first-out queue of numbers kept in a typed array, off the JavaScript heap. A plain array
 * of numbers grown per event is copied into a larger one as it grows, and with hundreds of replies
 * streaming, those copies were part of what every young-generation collection had to move; a typed
 * array's contents are never scanned or moved by the collector.
 */
export class NumberQueue {
  private values = new Float64Array(16);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    if (this.count === this.values.length) this.grow();
    this.values[(this.head + this.count) % this.values.length] = value;
    this.count += 1;
  }

  /** The oldest value; undefined when empty. */
  peek(): number | undefined {
    return this.count === 0 ? undefined : this.values[this.head];
  }

  /** The value `index` places after the oldest (0 is the oldest); undefined past the newest. */
  at(index: number): number | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.values[(this.head + index) % this.values.length];
  }

  /** Removes and returns the oldest value; undefined when empty. */
  shift(): number | undefined {
    if (this.count === 0) return undefined;
    const value = this.values[this.head]!;
    this.head = (this.head + 1) % this.values.length;
    this.count -= 1;
    return value;
  }

  private grow(): void {
    const larger = new Float64Array(this.values.length * 2);
    for (let index = 0; index < this.count; index++) larger[index] = this.values[(this.head + index) % this.values.length]!;
    this.values = larger;
    this.head = 0;
  }
}
