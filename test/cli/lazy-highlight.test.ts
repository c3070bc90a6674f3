/** The CLI loads highlight.js only when a code block needs it, so `gptme --version` never pays for it. */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("CLI highlighting", () => {
  it("requires highlight.js on the first code line, and only the grammar it needs", () => {
    const script = `
      const { createRequire } = await import("node:module");
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes("highlight.js")).map((path) => path.split("highlight.js/")[1]);
      const { highlightLine, languageOf } = await import("./adapters/cli/terminal/highlight.ts");
      const { createStyles } = await import("./adapters/cli/terminal/styles.ts");
      const before = loaded();
      highlightLine("fn main() {}", languageOf("rust"), createStyles(true));
      console.log(JSON.stringify({ before, after: loaded() }));
    `;
    const output = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    const { before, after } = JSON.parse(output.trim().split("\n").pop()!) as { before: string[]; after: string[] };
    expect(before).toEqual([]);
    expect(after).toContain("lib/core.js");
    expect(after).toContain("lib/languages/rust.js");
    expect(after.filter((path) => path.startsWith("lib/languages/"))).toEqual(["lib/languages/rust.js"]);
  });
});
