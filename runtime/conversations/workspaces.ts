/** Where a conversation's tools run: `@log` (its own folder), `.` (the server's default), or a path. */
import { mkdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { BadRequestError } from "../errors.js";

export function resolveWorkspace(requested: string | undefined, options: { conversationDirectory: string; defaultWorkspace: string }): string {
  const value = requested?.trim();
  if (!value || value === "@log") {
    const workspace = join(options.conversationDirectory, "workspace");
    mkdirSync(workspace, { recursive: true });
    return workspace;
  }
  if (value === ".") return options.defaultWorkspace;
  const expanded = value === "~" ? homedir() : value.startsWith("~/") ? join(homedir(), value.slice(2)) : value;
  const path = isAbsolute(expanded) ? expanded : resolve(options.defaultWorkspace, expanded);
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) throw new BadRequestError(`Workspace is not a directory: ${value}`);
  return path;
}
