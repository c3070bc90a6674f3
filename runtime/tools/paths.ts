/** How the file tools turn a path the model wrote into a path inside the conversation's sandbox. */
import path from "node:path";

/** `~` is the sandbox's HOME, as in its shell. */
export function expandHome(rawPath: string, home: string): string {
  if (rawPath === "~") return home;
  if (rawPath.startsWith("~/")) return path.posix.join(home, rawPath.slice(2));
  return rawPath;
}

export interface ResolvedToolPath {
  /** The path as the model wrote it, `~` expanded; gptme echoes this form back (`Saved to <display>`). */
  display: string;
  /** The path inside the sandbox (the workspace has the same path inside and out). */
  absolute: string;
}

/**
 * Resolves `rawPath` against the workspace. Absolute (and `~`) paths are taken as meant; a relative
 * path that climbs out of the workspace is refused, as gptme refuses one leaving its cwd. Where an
 * absolute path may lead is for the sandbox to decide: the file operations run inside it.
 */
export function resolveToolPath(rawPath: string, workspace: string, home: string): ResolvedToolPath {
  const display = expandHome(rawPath.trim(), home);
  if (display === "") throw new Error("No path provided");
  const absolute = path.posix.resolve(workspace, display);
  if (!path.posix.isAbsolute(display)) {
    const root = path.posix.resolve(workspace);
    const relative = path.posix.relative(root, absolute);
    if (relative === ".." || relative.startsWith("../") || path.posix.isAbsolute(relative)) {
      throw new Error(
        `Path traversal detected: ${display} resolves to ${absolute} which is outside current directory ${root}`,
      );
    }
  }
  return { display, absolute };
}
