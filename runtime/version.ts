/** The package version, read once (from source, `../package.json`; compiled, `../../package.json`). */
import { readFileSync } from "node:fs";

function readVersion(): string {
  for (const relative of ["../package.json", "../../package.json"]) {
    try {
      const parsed = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (parsed.name === "gptme-ts" && parsed.version) return parsed.version;
    } catch {
      continue;
    }
  }
  return "0.0.0";
}

export const version = readVersion();
