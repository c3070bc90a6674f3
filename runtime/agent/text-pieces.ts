/**
 * Text that grows by many small pieces (a reply's tokens), joined only when read. Growing a string
 * with `+=` makes an object per piece that stays alive as long as the text does, and with hundreds of
 * replies streaming, every young-generation collection copies them all (measured by the SSE bench).
 */
export class TextPieces {
  private pieces: string[] = [];
  /** In UTF-16 code units, as `string.length`. */
  length = 0;

  /** How many pieces the text is kept in. */
  get pieceCount(): number {
    return this.pieces.length;
  }

  push(piece: string): void {
    this.pieces.push(piece);
    this.length += piece.length;
  }

  /**
   * The whole text, joined anew on each call. The pieces are not replaced by it: a text read while
   * it still grows (a draft, every second) would otherwise keep each joined copy alive until the
   * reply ends, and those copies were most of what the server's young-generation collections had to
   * promote with 200 replies streaming.
   */
  text(): string {
    return this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join("");
  }

  /** Starts over from `text`. */
  reset(text = ""): void {
    this.pieces = text ? [text] : [];
    this.length = text.length;
  }
}
