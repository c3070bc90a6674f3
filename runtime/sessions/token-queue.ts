/**
 * The tokens a conversation's replay buffer keeps, oldest first: their text as UTF-8 bytes and
 * where each begins, both off the JavaScript heap, so a kept token is a number in the buffer
 * rather than a string the young-generation collector copies and promotes (see Utf8Queue).
 */
import { Utf8Queue } from "../text/utf8-queue.js";
import { NumberQueue } from "./number-queue.js";

type MaybeWellFormed = string & { isWellFormed?: () => boolean };

/**
 * Whether UTF-8 holds `text` exactly: no half of a surrogate pair without the other. Such a token is
 * kept as a string by the buffer, so that a replay gives every token back as it was sent.
 */
export function fitsUtf8(text: string): boolean {
  const candidate = text as MaybeWellFormed;
  if (candidate.isWellFormed) return candidate.isWellFormed();
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

export class TokenQueue {
  private readonly bytes = new Utf8Queue();
  private readonly starts = new NumberQueue();
  /** The number of the oldest kept token: tokens are numbered from 0 in the order they came. */
  private first = 0;

  get length(): number {
    return this.starts.length;
  }

  /** Keeps a token (one that `fitsUtf8`); returns its number. */
  push(token: string): number {
    this.starts.push(this.bytes.end);
    this.bytes.append(token);
    return this.first + this.starts.length - 1;
  }

  /** The token numbered `number`, while it is kept. */
  at(number: number): string {
    const index = number - this.first;
    const start = this.starts.at(index);
    if (start === undefined) throw new RangeError(`TokenQueue: token ${number} is not kept`);
    return this.bytes.read(start, this.starts.at(index + 1) ?? this.bytes.end);
  }

  /** Drops the oldest token; the bytes are freed once none is left. */
  shift(): void {
    if (this.starts.shift() === undefined) return;
    this.first += 1;
    const next = this.starts.peek();
    if (next === undefined) this.bytes.clear();
    else this.bytes.dropBefore(next);
  }
}
