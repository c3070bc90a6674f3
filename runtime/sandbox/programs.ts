/**
 * Whether a program can be run inside a local sandbox: found on the sandbox's PATH, at a host path
 * the sandbox actually shows. A PATH entry the server has (`~/.local/bin`, a temp dir) may be
 * outside the sandbox's view; a symlink into such a place is dangling inside.
 */
import { realpathSync } from "node:fs";
import path from "node:path";
import { findExecutable } from "../tools/executables.js";

function isWithin(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

export interface ProgramView {
  /** The sandbox's PATH. */
  searchPath: string;
  /** Host directories shown inside at the same path; undefined: everything (the `none` backend). */
  visible?: string[];
  /** Host paths masked inside. */
  hidden?: string[];
}

/** A cached lookup over `view` (the tool registry asks for the same few names again and again). */
export function programLookupOf(view: ProgramView): (name: string) => boolean {
  const cache = new Map<string, boolean>();
  const shown = (file: string) =>
    view.visible === undefined ||
    (view.visible.some((directory) => isWithin(file, directory)) && !(view.hidden ?? []).some((secret) => isWithin(file, secret)));
  const find = (name: string) => {
    for (const directory of view.searchPath.split(path.delimiter)) {
      if (!directory || !path.isAbsolute(directory)) continue;
      const candidate = findExecutable(name, directory);
      if (!candidate) continue;
      let real: string;
      try {
        real = realpathSync(candidate);
      } catch {
        continue;
      }
      if (shown(real)) return true;
    }
    return false;
  };
  return (name) => {
    let found = cache.get(name);
    if (found === undefined) cache.set(name, (found = find(name)));
    return found;
  };
}
