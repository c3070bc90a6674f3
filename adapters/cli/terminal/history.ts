/** Prompt history kept across runs in a plain file, one entry per line, oldest first. */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const keep = 1000;

export class PromptHistory {
  /** Newest first, as node:readline wants it. */
  readonly entries: string[];

  private constructor(
    private readonly path: string | null,
    entries: string[],
  ) {
    this.entries = entries;
  }

  static load(path: string | null): PromptHistory {
    if (!path) return new PromptHistory(null, []);
    let lines: string[] = [];
    try {
      lines = readFileSync(path, "utf8").split("\n").filter(Boolean);
    } catch {
      lines = [];
    }
    if (lines.length > keep * 2) {
      lines = lines.slice(-keep);
      tryWrite(() => writeFileSync(path, `${lines.join("\n")}\n`));
    }
    return new PromptHistory(path, lines.slice(-keep).reverse());
  }

  add(line: string): void {
    const entry = line.replace(/\n/g, " ").trim();
    if (!entry || this.entries[0] === entry) return;
    this.entries.unshift(entry);
    if (this.entries.length > keep) this.entries.length = keep;
    const path = this.path;
    if (path) {
      tryWrite(() => {
        mkdirSync(dirname(path), { recursive: true });
        appendFileSync(path, `${entry}\n`);
      });
    }
  }
}

/** History is a convenience: a read-only home must not stop the chat. */
function tryWrite(write: () => void): void {
  try {
    write();
  } catch {
    // ignored on purpose, see above
  }
}
