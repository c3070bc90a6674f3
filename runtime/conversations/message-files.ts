/**
 * The `files` of a message, checked as gptme HEAD checks them (`_validate_message_file_references`):
 * URIs are kept as given (never fetched), `file://` is refused, local paths are relative and stay
 * inside the conversation's workspace, or name an upload as `attachments/<name>`.
 */
import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { BadRequestError } from "../errors.js";

/** The two folders a message's local files may live in. */
export interface FilePlaces {
  workspace: string;
  /** `<logdir>/attachments` (`attachmentsDirectory`). */
  attachments: string;
}

const uriPattern = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

export function isUri(value: string): boolean {
  return uriPattern.test(value);
}

/** The path with symlinks followed; for a missing file, its nearest existing folder's real path plus the rest. */
function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realPathOf(parent), basename(path));
  }
}

function within(root: string, path: string): boolean {
  const rest = relative(root, path);
  return rest === "" || (rest !== ".." && !rest.startsWith(`..${sep}`) && !isAbsolute(rest));
}

/** True when `path` is inside `root`, both as written and once symlinks are followed. */
export function isInside(path: string, root: string): boolean {
  return within(root, path) && within(realPathOf(root), realPathOf(path));
}

/**
 * True when `path` is in the workspace or the attachments. Checked again when a file is read,
 * since the agent can replace an attached file with a link after the message was stored.
 */
export function isInsidePlaces(path: string, places: FilePlaces): boolean {
  return isInside(path, places.workspace) || isInside(path, places.attachments);
}

/** For a path already resolved (an opened file's real path): inside the real workspace or attachments. */
export function isRealPathInPlaces(real: string, places: FilePlaces): boolean {
  return [places.workspace, places.attachments].some((root) => within(realPathOf(root), real));
}

/** The stored form of each reference (absolute paths, URIs as given); 400 on the first bad one. */
export function resolveMessageFiles(files: string[], places: FilePlaces): string[] {
  return files.map((file) => {
    if (isUri(file)) {
      if (uriPattern.exec(file)![1]!.toLowerCase() === "file") {
        throw new BadRequestError("file:// URIs are not supported for message attachments");
      }
      return file;
    }
    if (file.includes("\0") || file.trim() === "") throw new BadRequestError(`Invalid file path: ${JSON.stringify(file)}`);
    if (isAbsolute(file)) throw new BadRequestError(`Absolute file paths are not supported: ${file}`);
    const [first, ...rest] = file.split(/[\\/]+/);
    if (first === "attachments" && rest.length > 0) {
      const upload = resolve(places.attachments, ...rest);
      if (existsSync(upload) && isInside(upload, places.attachments)) return upload;
    }
    const path = resolve(places.workspace, file);
    if (!isInside(path, places.workspace)) {
      throw new BadRequestError(`File path escapes workspace: ${file}`);
    }
    return path;
  });
}
