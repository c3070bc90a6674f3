import { describe, expect, it } from "vitest";
import { TextPieces } from "../../runtime/agent/text-pieces.js";

describe("TextPieces", () => {
  it("gives back the pieces joined, with their length in UTF-16 units", () => {
    const text = new TextPieces();
    const pieces = ["Hello", ", ", "wörld", " 中文", "\n```shell\nls\n```\n", ""];
    for (const piece of pieces) text.push(piece);
    expect(text.text()).toBe(pieces.join(""));
    expect(text.length).toBe(pieces.join("").length);
  });

  it("gives back an emoji whole when a model splits its surrogate pair between two deltas", () => {
    const text = new TextPieces();
    const emoji = "😀";
    text.push(`a${emoji[0]}`);
    // Read between the halves: the first half is still there, as a join of the pieces would have it.
    expect(text.text()).toBe(`a${emoji[0]}`);
    text.push(`${emoji[1]}b`);
    text.push(emoji[0]!);
    text.push(emoji[1]!);
    expect(text.text()).toBe(`a${emoji}b${emoji}`);
    expect(text.length).toBe(`a${emoji}b${emoji}`.length);
  });

  it("keeps a lone surrogate as one U+FFFD, so lengths and offsets still agree", () => {
    const text = new TextPieces();
    text.push("x\udc00y");
    expect(text.text()).toBe("x\ufffdy");
    expect(text.text().length).toBe(text.length);
  });

  it("starts over on reset, from a given text or empty", () => {
    const text = new TextPieces();
    for (let index = 0; index < 1000; index++) text.push(`token ${index} `);
    text.reset("new");
    expect(text.text()).toBe("new");
    expect(text.length).toBe(3);
    text.reset();
    expect(text.text()).toBe("");
    expect(text.length).toBe(0);
    text.push("again");
    expect(text.text()).toBe("again");
  });

  it("gives its text as UTF-8 bytes, a copy that later pieces do not change, without a half pair still waiting", () => {
    const text = new TextPieces();
    text.push("wörld 中文 ");
    text.push("😀"[0]!);
    const bytes = text.utf8();
    expect(new TextDecoder().decode(bytes)).toBe("wörld 中文 ");
    text.push("😀"[1]!);
    for (let index = 0; index < 200; index++) text.push(` more ${index}`);
    expect(new TextDecoder().decode(bytes)).toBe("wörld 中文 ");
    expect(new TextDecoder().decode(text.utf8())).toBe(text.text());
  });
});
