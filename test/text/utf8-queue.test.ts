import { describe, expect, it } from "vitest";
import { Utf8Queue } from "../../runtime/text/utf8-queue.js";

const samples = ["a", "héllo ", "中文", "😀", " ", "x".repeat(300), "Ωμέγα\n", "🚀🚀", "\t{}\"'\\"];

describe("Utf8Queue", () => {
  it("reads back every appended text by its positions, across growth, compaction and drops", () => {
    const queue = new Utf8Queue();
    const kept: Array<{ text: string; from: number; to: number }> = [];
    for (let round = 0; round < 400; round++) {
      const text = samples[round % samples.length]!;
      const from = queue.end;
      queue.append(text);
      kept.push({ text, from, to: queue.end });
      // Drop from the front now and then, so the bytes move to the front of the array and it shrinks.
      if (round % 7 === 6) {
        kept.splice(0, 5);
        queue.dropBefore(kept[0]!.from);
      }
      for (const entry of [kept[0]!, kept.at(-1)!]) expect(queue.read(entry.from, entry.to)).toBe(entry.text);
    }
    for (const entry of kept) expect(queue.read(entry.from, entry.to)).toBe(entry.text);
    expect(queue.read()).toBe(kept.map((entry) => entry.text).join(""));
    expect(queue.start).toBe(kept[0]!.from);
  });

  it("counts positions in UTF-8 bytes and keeps them after a drop", () => {
    const queue = new Utf8Queue();
    queue.append("é");
    expect(queue.end).toBe(2);
    queue.append("😀");
    expect(queue.end).toBe(6);
    queue.dropBefore(2);
    expect(queue.start).toBe(2);
    expect(queue.read(2, 6)).toBe("😀");
    queue.dropBefore(6);
    queue.append("b");
    expect(queue.read(6, 7)).toBe("b");
    queue.clear();
    expect(queue.read()).toBe("");
    queue.append("c");
    expect(queue.read(7, 8)).toBe("c");
  });

  it("refuses to read what it no longer or never held", () => {
    const queue = new Utf8Queue();
    queue.append("abc");
    queue.dropBefore(1);
    expect(() => queue.read(0, 2)).toThrow(RangeError);
    expect(() => queue.read(1, 4)).toThrow(RangeError);
    expect(() => queue.read(2, 1)).toThrow(RangeError);
    expect(queue.read(1, 3)).toBe("bc");
  });

  it("keeps a lone surrogate as U+FFFD, as SQLite would store it", () => {
    const queue = new Utf8Queue();
    queue.append("a\ud83d");
    expect(queue.read()).toBe("a\ufffd");
  });

  it("writes the same bytes as TextEncoder for ASCII, mixed and broken text, one append at a time", () => {
    // ASCII goes byte by byte and the rest through encodeInto: every way they can meet, including a
    // pair or a lone half right after ASCII, and the last ASCII unit and the first that is not.
    const units = ["a", "\u007f", "\u0080", "\n", "é", "中", "😀", "\ud83d", "\ude00", "\u0000", "~"];
    const encoder = new TextEncoder();
    let seed = 7;
    const random = (below: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % below);
    const queue = new Utf8Queue();
    const expected: number[] = [];
    for (let round = 0; round < 2000; round++) {
      const text = Array.from({ length: random(6) }, () => units[random(units.length)]!).join("");
      const from = queue.end;
      queue.append(text);
      const bytes = encoder.encode(text);
      expect(queue.end - from).toBe(bytes.length);
      expected.push(...bytes);
      if (!/[\ud800-\udfff]/.test(text)) expect(queue.read(from, queue.end)).toBe(text);
    }
    expect([...queue.copy()]).toEqual(expected);
  });
});
