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

const isInside = (path: string, roots: string[]) => {
  const real = realOrResolved(path);
  return roots.map(realOrResolved).some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep));
};

/**
 * Replicas: a conversation's next step may run on any replica, so its workspace must be where all
 * of them see the same files (the data directory, the default workspace, `--allow-workspace` roots).
 */
export function assertWorkspaceShared(workspace: string, sharedRoots: string[]): void {
  if (!isInside(workspace, sharedRoots)) {
    throw new BadRequestError(
      `Workspace ${workspace} is not on a volume every server replica mounts: use @log, the default workspace, or a folder under ${sharedRoots.join(", ")}`,
    );
  }
}

/**
 * gptme HEAD lets a config PATCH move an existing conversation's workspace only inside its log
 * dir; `--allow-workspace` roots widen that. Symlinks are followed, so a link inside an allowed
 * root that points elsewhere is refused.
 */
export function assertWorkspaceMovable(workspace: string, allowedRoots: string[]): void {
  if (!isInside(workspace, allowedRoots)) {
    throw new BadRequestError(
      "workspace escapes conversation logdir; the server's --allow-workspace roots are the only other places a workspace may move to",
    );
  }
}
