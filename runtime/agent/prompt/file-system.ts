/** The little of the file system the prompt needs, so tests and other hosts can supply their own. */
import { readFile, readdir } from "node:fs/promises";

export interface PromptFileSystem {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readText(path: string): Promise<string | undefined>;
  /** Names of the entries of a directory (empty when it does not exist). */
  list(directory: string): Promise<string[]>;
}

export const nodeFileSystem: PromptFileSystem = {
  readText: (path) => readFile(path, "utf8").catch(() => undefined),
  list: (directory) => readdir(directory).catch(() => []),
};
