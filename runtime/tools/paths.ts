/** How the file tools turn a path the model wrote into a path on disk. */
import os from "node:os";
import path from "node:path";

export function expandHome(rawPath: string): string {
  if (rawPath === "~") return os.homedir();
  if (rawPath.startsWith("~/")) return path.join(os.homedir(), rawPath.slice(2));
  return rawPath;
}

export interface ResolvedToolPath {
  /** The path as the model wrote it, `~` expanded; gptme echoes this form back (`Saved to <display>`). */
  display: string;
  absolute: string;
}

/**
 * Resolves `rawPath` against the workspace. Absolute (and `~`) paths are taken as meant; a relative
 * path that climbs out of the workspace is refused, as gptme refuses one leaving its cwd.
 */
export function resolveToolPath(rawPath: string, workspace: string): ResolvedToolPath {
  const display = expandHome(rawPath.trim());
  if (display === "") throw new Error("No path provided");
  const absolute = path.resolve(workspace, display);
  if (!path.isAbsolute(display)) {
    const root = path.resolve(workspace);
    const relative = path.relative(root, absolute);
    if (relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
      throw new Error(
        `Path traversal detected: ${display} resolves to ${absolute} which is outside current directory ${root}`,
      );
    }
  }
  return { display, absolute };
}
