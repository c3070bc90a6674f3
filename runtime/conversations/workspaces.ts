/** Where a conversation's tools run: `@log` (its own folder), `.` (the server's default), or a path. */
import { realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve, sep } from "node:path";
import { BadRequestError } from "../errors.js";
import { makeDirectories } from "../files/make-directories.js";

/** Where a requested workspace points, before any check: `@log`/empty, `.`, `~`, relative or absolute. */
export function workspacePath(requested: string | undefined, options: { conversationDirectory: string; defaultWorkspace: string }): string {
  const value = requested?.trim();
  if (!value || value === "@log") return join(options.conversationDirectory, "workspace");
  if (value === ".") return options.defaultWorkspace;
  const expanded = value === "~" ? homedir() : value.startsWith("~/") ? join(homedir(), value.slice(2)) : value;
  return isAbsolute(expanded) ? expanded : resolve(options.defaultWorkspace, expanded);
}

export function resolveWorkspace(requested: string | undefined, options: { conversationDirectory: string; defaultWorkspace: string }): string {
  const path = workspacePath(requested, options);
  const value = requested?.trim();
  if (!value || value === "@log") {
    makeDirectories(path);
    return path;
  }
  if (value === ".") return path;
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) throw new BadRequestError(`Workspace is not a directory: ${value}`);
  return path;
}

/** The real path (symlinks followed) when it exists, else the path resolved as written. */
function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * gptme HEAD lets a config PATCH move an existing conversation's workspace only inside its log
 * dir; `--allow-workspace` roots widen that. Symlinks are followed, so a link inside an allowed
 * root that points elsewhere is refused.
 */
export function assertWorkspaceMovable(workspace: string, allowedRoots: string[]): void {
  const real = realOrResolved(workspace);
  const inside = allowedRoots.map(realOrResolved).some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep));
  if (!inside) {
    throw new BadRequestError(
      "workspace escapes conversation logdir; the server's --allow-workspace roots are the only other places a workspace may move to",
    );
  }
}
