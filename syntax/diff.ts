/**
 * Diff lines, for unified diffs and gptme's patch blocks (`<<<<<<< ORIGINAL` / `=======` /
 * `>>>>>>> UPDATED`): each line is an addition, a deletion, a marker or context. A line classifier,
 * not a grammar: what is inside the lines is the file's own language.
 */
export type DiffLineKind = "addition" | "deletion" | "meta" | "context";

export interface DiffLine {
  kind: DiffLineKind;
  /** The line with its newline, if it had one. */
  text: string;
}

/** Classifies lines one at a time, in order (gptme's patch sections span lines): for streamed text. */
export function createDiffClassifier(): (line: string) => DiffLineKind {
  let section: DiffLineKind = "context";
  return (text) => {
    if (/^<<<<<<< /.test(text)) {
      section = "deletion";
      return "meta";
    }
    if (/^=======\s*$/.test(text) && section === "deletion") {
      section = "addition";
      return "meta";
    }
    if (/^>>>>>>> /.test(text)) {
      section = "context";
      return "meta";
    }
    if (section !== "context") return section;
    if (/^(?:\+\+\+|---) /.test(text) || text.startsWith("@@")) return "meta";
    if (text.startsWith("+")) return "addition";
    if (text.startsWith("-")) return "deletion";
    return "context";
  };
}

export function diffLines(code: string): DiffLine[] {
  const classify = createDiffClassifier();
  return code
    .split(/(?<=\n)/)
    .filter((text) => text !== "")
    .map((text) => ({ kind: classify(text), text }));
}
