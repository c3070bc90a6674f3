/** Unified diffs for the confirmation previews of the file tools, and the text they diff against. */
import { SandboxFileError, type SandboxFiles } from "../sandbox/types.js";

/** The biggest file the file tools load whole (to patch it or diff it); the shell can handle bigger ones. */
export const MAX_EDITABLE_BYTES = 32 * 1024 * 1024;

/** The file's text as the sandbox sees it, or undefined when it does not exist (other errors propagate). */
export async function readTextIfExists(files: SandboxFiles, file: string): Promise<string | undefined> {
  try {
    return (await files.read(file, MAX_EDITABLE_BYTES)).toString("utf8");
  } catch (error) {
    if (error instanceof SandboxFileError && error.code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * `--- a/path` / `+++ b/path` style diff; a missing file diffs from `/dev/null`. The diff library is
 * loaded on the first preview, not at server start.
 */
export async function fileDiff(displayPath: string, before: string | undefined, after: string): Promise<string> {
  const { createTwoFilesPatch } = await import("diff");
  const oldName = before === undefined ? "/dev/null" : `a/${displayPath}`;
  const patch = createTwoFilesPatch(oldName, `b/${displayPath}`, before ?? "", after, undefined, undefined, { context: 3 });
  return patch.replace(/^=+\n/, "");
}
