/**
 * Whether programs are installed: found on PATH the way a shell would, in the view the tools run
 * in. The server's sandbox manager registers its view (a program the server sees may be outside
 * the sandbox, and a container has programs of its own); without one, the host's PATH is searched.
 */
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

/** Programs the shell's instructions list when present. */
export const NOTABLE_PROGRAMS = ["brew", "apt-get", "pacman", "ffmpeg", "magick", "pandoc", "git", "docker", "rg", "ag", "ast-grep", "hyperfine"];

/**
 * Every name a sandbox that cannot be searched from the server (a container) is asked about once,
 * at start: the notable programs, what the tools themselves run, and the usual MCP launchers.
 */
export const CHECKED_PROGRAMS = [...NOTABLE_PROGRAMS, "bash", "tmux", "setsid", "python3", "node", "npx", "uvx"];

/** Whether the tools can run `name` (synchronous: tool availability is decided when a registry is built). */
export type ProgramLookup = (name: string) => boolean;

const hostLookup: ProgramLookup = (name) => findExecutable(name) !== undefined;

let current: ProgramLookup = hostLookup;

/**
 * Makes `lookup` the view tools check programs in (one server per process; the last manager made
 * wins). Returns the function that puts back the host's view, if this one is still current.
 */
export function useProgramLookup(lookup: ProgramLookup): () => void {
  current = lookup;
  return () => {
    if (current === lookup) current = hostLookup;
  };
}

/** The lookup in force now (shell instructions are cached per lookup). */
export function programLookup(): ProgramLookup {
  return current;
}

export function hasProgram(name: string): boolean {
  return current(name);
}

export function installedPrograms(candidates: readonly string[]): string[] {
  return candidates.filter((name) => current(name)).sort();
}
