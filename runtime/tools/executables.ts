/** Whether programs are installed, found on PATH the way a shell would. */
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

export function findExecutable(name: string, searchPath = process.env.PATH ?? ""): string | undefined {
  for (const directory of searchPath.split(path.delimiter)) {
    if (!directory) continue;
    const candidate = path.join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

export function installedPrograms(candidates: readonly string[]): string[] {
  return candidates.filter((name) => findExecutable(name) !== undefined).sort();
}
