/** gptme's `-t/--tools` semantics: names or globs, `+tool` to add, `-tool` to remove, `none`. */

export interface ToolCatalogEntry {
  name: string;
  available: boolean;
  /** Offered only when named explicitly (gptme's `disabled_by_default`, e.g. `read`). */
  disabledByDefault: boolean;
}

function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (const character of pattern) {
    if (character === "*") source += ".*";
    else if (character === "?") source += ".";
    else source += character.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

function matching(pattern: string, catalog: ToolCatalogEntry[]): ToolCatalogEntry[] {
  const expression = globToRegExp(pattern);
  return catalog.filter((entry) => expression.test(entry.name));
}

/** The available tools that are on unless asked for. */
function defaultNames(catalog: ToolCatalogEntry[]): string[] {
  return catalog.filter((entry) => entry.available && !entry.disabledByDefault).map((entry) => entry.name);
}

/**
 * Tool names selected by `allowlist` (entries may be comma-separated, as `-t a,b`). Undefined or
 * empty: the defaults. In strict mode an unknown or unavailable tool is an error (the CLI's
 * behaviour); otherwise it is skipped (the server's, where a stored config may name tools we lack).
 */
export function selectToolNames(allowlist: string[] | undefined, catalog: ToolCatalogEntry[], strict = false): string[] {
  const items = (allowlist ?? []).flatMap((item) => item.split(",")).map((item) => item.trim()).filter(Boolean);
  if (items.length === 0) return defaultNames(catalog);
  if (items.some((item) => item.toLowerCase() === "none")) {
    const others = items.filter((item) => item.toLowerCase() !== "none");
    if (others.length > 0) throw new Error(`Cannot combine 'none' with other tools: ${others.join(", ")}`);
    return [];
  }
  const additive = items.some((item) => item.startsWith("+"));
  const exclusive = items.some((item) => item.startsWith("-"));
  if (additive && exclusive) throw new Error("Cannot mix '+tool' (additive) and '-tool' (exclusion) syntax. Use one or the other.");
  if (exclusive && items.some((item) => !item.startsWith("-"))) {
    throw new Error("Cannot mix bare tool names with '-tool' exclusion syntax. Prefix all tools with '-' to exclude them.");
  }
  const patterns = items.map((item) => item.replace(/^[+-]/, "")).filter(Boolean);

  for (const pattern of patterns) {
    const found = matching(pattern, catalog);
    if (!strict) continue;
    if (found.length === 0) {
      throw new Error(`Tool '${pattern}' not found. Available tools: ${catalog.map((entry) => entry.name).sort().join(", ")}`);
    }
    if (!exclusive && !found.some((entry) => entry.available)) throw new Error(`Tool '${pattern}' is unavailable on this machine.`);
  }

  const named = new Set(patterns.flatMap((pattern) => matching(pattern, catalog)).map((entry) => entry.name));
  if (exclusive) return defaultNames(catalog).filter((name) => !named.has(name));
  const base = additive ? new Set(defaultNames(catalog)) : new Set<string>();
  return catalog.filter((entry) => entry.available && (base.has(entry.name) || named.has(entry.name))).map((entry) => entry.name);
}
