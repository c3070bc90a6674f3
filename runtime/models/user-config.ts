/**
 * What the model registry needs from gptme's user config: `[env]` (keys, `MODEL`, base URLs) and
 * `[models] default`, from `config.toml` and its `config.local.toml` sibling (which wins; gptme
 * keeps secrets there).
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parse } from "smol-toml";
import { ModelConfigurationError } from "../errors.js";

export interface UserModelConfig {
  env: Record<string, string>;
  defaultModel: string | null;
  /** The file (base name) each `[env]` value and the default model came from. */
  sources?: { env: Record<string, string>; defaultModel: string | null };
}

/** Missing files are an empty config; a malformed one throws `ModelConfigurationError` naming the file and line. */
export function readUserModelConfig(configPath: string): UserModelConfig {
  const files = [configPath, join(dirname(configPath), "config.local.toml")];
  const sources: NonNullable<UserModelConfig["sources"]> = { env: {}, defaultModel: null };
  const config: UserModelConfig = { env: {}, defaultModel: null, sources };
  for (const file of files) {
    const document = readToml(file);
    if (!document) continue;
    const env = document.env;
    if (isTable(env)) {
      for (const [name, value] of Object.entries(env)) {
        if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
          config.env[name] = String(value);
          sources.env[name] = basename(file);
        }
      }
    }
    const models = document.models;
    if (isTable(models) && typeof models.default === "string" && models.default) {
      config.defaultModel = models.default;
      sources.defaultModel = basename(file);
    }
  }
  return config;
}

function readToml(file: string): Record<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new ModelConfigurationError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    const { line, column, message } = error as Error & { line?: number; column?: number };
    const where = line ? ` (line ${line}, column ${column})` : "";
    throw new ModelConfigurationError(`Cannot read ${file}${where}: ${message.split("\n")[0]}`);
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
