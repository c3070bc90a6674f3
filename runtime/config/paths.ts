/** Where gptme keeps its data, as gptme does (`$XDG_DATA_HOME/gptme`, else `~/.local/share/gptme`). */
import { homedir } from "node:os";
import { join } from "node:path";

export function dataDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME?.trim();
  return join(xdg ? xdg : join(env.HOME ?? homedir(), ".local", "share"), "gptme");
}

/** The SQLite database: `--db` > `GPTME_DB` > `<data dir>/gptme.db`. */
export function databasePath(env: NodeJS.ProcessEnv = process.env, flag?: string): string {
  return flag ?? env.GPTME_DB ?? join(dataDirectory(env), "gptme.db");
}

/** Per-conversation directory: holds the `@log` workspace and saved full tool outputs. */
export function conversationDirectory(dataDir: string, conversationId: string): string {
  return join(dataDir, "logs", conversationId);
}

/**
 * Where a conversation's uploads live (`<logdir>/attachments`, as gptme HEAD). The one place this
 * path is made: the sandbox mounts it (read-only) so the agent's tools can read what was uploaded.
 */
export function attachmentsDirectory(dataDir: string, conversationId: string): string {
  return join(conversationDirectory(dataDir, conversationId), "attachments");
}

export function configDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  return join(xdg ? xdg : join(env.HOME ?? homedir(), ".config"), "gptme");
}
