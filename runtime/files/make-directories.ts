/** `mkdir -p` that always ends, for folders whose path comes from settings or the environment. */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * Creates `directory` and its missing parents one level at a time: Node's recursive mkdir loops
 * for ever where the kernel answers ENOENT for a folder whose parent exists (inside /proc, for one).
 * Throws the first failure as Node's own error (with `code` and `path`).
 */
export function makeDirectories(directory: string): void {
  const missing: string[] = [];
  for (let current = resolve(directory); !existsSync(current); current = dirname(current)) {
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}
