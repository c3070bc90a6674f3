/** The `[agent]` table of the workspace's `gptme.toml` (or `.github/gptme.toml`), for `GET /api/v2/config`. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";

export interface ProjectAgent {
  name?: string;
  urls?: Record<string, string>;
}

/** Empty when there is no project config, or it is unreadable (this route never fails). */
export function readProjectAgent(workspace: string): ProjectAgent {
  for (const candidate of [join(workspace, "gptme.toml"), join(workspace, ".github", "gptme.toml")]) {
    let document: Record<string, unknown>;
    try {
      document = parse(readFileSync(candidate, "utf8")) as Record<string, unknown>;
    } catch {
      continue;
    }
    const agent = document.agent;
    if (typeof agent !== "object" || agent === null || Array.isArray(agent)) return {};
    const table = agent as Record<string, unknown>;
    const result: ProjectAgent = {};
    if (typeof table.name === "string") result.name = table.name;
    if (typeof table.urls === "object" && table.urls !== null && !Array.isArray(table.urls)) {
      const urls = Object.entries(table.urls as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === "string");
      if (urls.length > 0) result.urls = Object.fromEntries(urls);
    }
    return result;
  }
  return {};
}
