/** Unified diffs for the confirmation previews of the file tools. */
import { createTwoFilesPatch } from "diff";
import { readFile } from "node:fs/promises";

/** The file's text, or undefined when it does not exist (other read errors propagate). */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** `--- a/path` / `+++ b/path` style diff; a missing file diffs from `/dev/null`. */
export function fileDiff(displayPath: string, before: string | undefined, after: string): string {
  const oldName = before === undefined ? "/dev/null" : `a/${displayPath}`;
  const patch = createTwoFilesPatch(oldName, `b/${displayPath}`, before ?? "", after, undefined, undefined, { context: 3 });
  return patch.replace(/^=+\n/, "");
}
