/**
 * The environment a sandbox's processes start with: an allowlist, never the server's whole
 * environment (which holds `GPTME_SERVER_TOKEN` and the provider keys). gptme passes everything;
 * codex strips `*KEY*`-like names, which misses secrets named otherwise. An allowlist cannot leak a
 * name nobody thought of.
 */

/** Always passed (when set): what a shell and most programs need to behave normally. */
export const BASE_ENVIRONMENT_NAMES = ["PATH", "HOME", "USER", "SHELL", "LANG", "LC_*", "TERM", "TZ"];

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Names from `GPTME_SANDBOX_ENV=NAME,NAME` (a trailing `*` matches a prefix). */
export function parseEnvironmentNames(text: string | undefined): string[] {
  return (text ?? "")
    .split(/[,\s]+/)
    .map((name) => name.trim())
    .filter((name) => /^[A-Za-z_][A-Za-z0-9_]*\*?$/.test(name));
}

function matches(pattern: string, name: string): boolean {
  return pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/**
 * The allowlisted part of `source`, with `HOME` set to the sandbox's own home. `extraNames` are
 * the user's additions (they may name anything, the token included: that is their call).
 */
export function allowlistedEnvironment(
  source: NodeJS.ProcessEnv,
  options: { home: string; extraNames?: string[] },
): Record<string, string> {
  const patterns = [...BASE_ENVIRONMENT_NAMES, ...(options.extraNames ?? [])];
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && patterns.some((pattern) => matches(pattern, name))) environment[name] = value;
  }
  environment.HOME = options.home;
  environment.PATH ||= DEFAULT_PATH;
  return environment;
}

/** What the unsandboxed backend passes: the whole environment except the server's own token (gptme's behaviour, minus that). */
export function unsandboxedEnvironment(source: NodeJS.ProcessEnv, extraNames: string[] = []): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (name === "GPTME_SERVER_TOKEN" && !extraNames.some((pattern) => matches(pattern, name))) continue;
    environment[name] = value;
  }
  return environment;
}
