/**
 * Text kept as UTF-8 bytes in a typed array, off the JavaScript heap, added at the end and dropped
 * from the front. A reply's tokens kept as strings (and as array slots pointing at them) were
 * copied by every young-generation collection and then promoted, with hundreds of replies
 * streaming; bytes in a typed array are never scanned or moved by the collector, so each token's
 * string dies young.
 *
 * Positions are absolute: they count every byte ever appended, so a position read before a drop
 * still names the same byte after it.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const empty = new Uint8Array(0);

export class Utf8Queue {
  private bytes = empty;
  /** The absolute position of `bytes[0]`. */
  private base = 0;
  /** Where the kept bytes begin and end in `bytes`. */
  private first = 0;
  private last = 0;

  /** The position of the oldest kept byte. */
  get start(): number {
    return this.base + this.first;
  }

  /** The position after the newest byte (where the next text begins). */
  get end(): number {
    return this.base + this.last;
  }

  /**
   * Adds `text` at the end. A lone surrogate (half of a pair, which UTF-8 cannot hold) is kept as
   * U+FFFD, as SQLite would store it; callers that must give a split pair back whole keep the first
   * half until the second arrives (TextPieces does).
   */
  append(text: string): void {
    const length = text.length;
    if (length === 0) return;
    // One UTF-16 unit is at most three UTF-8 bytes.
    if (this.bytes.length - this.last < length * 3) this.makeRoom(length * 3);
    // Most tokens are ASCII, and written byte by byte they need no view for encodeInto to write
    // into: a new object per token per queue (three per streamed token) that each young-generation
    // collection had to deal with. The rest, from its first non-ASCII unit on, goes through
    // encodeInto; that unit is never the second half of a pair, as the first half is not ASCII.
    const bytes = this.bytes;
    const at = this.last;
    let ascii = 0;
    while (ascii < length) {
      const unit = text.charCodeAt(ascii);
      if (unit >= 0x80) break;
      bytes[at + ascii] = unit;
      ascii += 1;
    }
    this.last = at + ascii;
    if (ascii < length) {
      this.last += encoder.encodeInto(ascii === 0 ? text : text.slice(ascii), bytes.subarray(this.last)).written;
    }
  }

  /** The text between two positions (by default, all of it); both must be boundaries of appended text. */
  read(from = this.start, to = this.end): string {
    this.checkRange(from, to);
    if (from === to) return "";
    return decoder.decode(this.bytes.subarray(from - this.base, to - this.base));
  }

  /** A copy of the bytes between two positions (by default, all of them), off the heap as these are. */
  copy(from = this.start, to = this.end): Uint8Array {
    this.checkRange(from, to);
    return this.bytes.slice(from - this.base, to - this.base);
  }

  /** Forgets the bytes before `position`. */
  dropBefore(position: number): void {
    this.first = Math.min(this.last, Math.max(this.first, position - this.base));
    if (this.first === this.last) {
      this.base += this.first;
      this.first = this.last = 0;
    }
  }

  /** Forgets everything and frees the bytes (positions go on from `end`). */
  clear(): void {
    this.base = this.end;
    this.first = this.last = 0;
    this.bytes = empty;
  }

  private checkRange(from: number, to: number): void {
    if (from < this.start || to > this.end || from > to) {
      throw new RangeError(`Utf8Queue: ${from}..${to} is outside ${this.start}..${this.end}`);
    }
  }

  /**
   * Moves the kept bytes to the front of an array at least twice their size with `needed`, larger
   * or smaller than the current one: each byte is copied a bounded number of times on average, and
   * an array that held a long text shrinks once most of it is dropped.
   */
  private makeRoom(needed: number): void {
    const kept = this.last - this.first;
    const capacity = Math.max(64, 2 ** Math.ceil(Math.log2(2 * (kept + needed))));
    if (capacity === this.bytes.length) {
      this.bytes.copyWithin(0, this.first, this.last);
    } else {
      const larger = new Uint8Array(capacity);
      larger.set(this.bytes.subarray(this.first, this.last));
      this.bytes = larger;
    }
    this.base += this.first;
    this.first = 0;
    this.last = kept;
  }
}
