/** The tools a conversation can use: built from an allowlist, run through the one wrapper. */
import { createAppendTool } from "./append.js";
import { DEFAULT_OUTPUT_BUDGET, previewTool, runTool } from "./define-tool.js";
import { selectToolNames, type ToolCatalogEntry } from "./allowlist.js";
import type { HeadTailBudget } from "./output-storage.js";
import { createPatchTool } from "./patch.js";
import { createReadTool } from "./read.js";
import { createSaveTool } from "./save.js";
import { createShellTool, type ShellToolOptions } from "./shell.js";
import { createTmuxTool, type TmuxToolOptions } from "./tmux.js";
import type { ToolDefinition, ToolRegistry } from "./tool.js";

export { selectToolNames } from "./allowlist.js";

export interface ToolRegistryOptions {
  /** gptme `-t` semantics: names/globs, `+tool`, `-tool`, `none`; undefined or empty = the defaults. */
  tools?: string[];
  /** Throw on unknown or unavailable names instead of skipping them (for the CLI's `-t`). */
  strict?: boolean;
  shell?: ShellToolOptions;
  tmux?: TmuxToolOptions;
  /** Cap on any tool's output before head + tail truncation (the shell truncates to gptme's budgets first). */
  outputBudget?: HeadTailBudget;
}

/** gptme HEAD ships `read` disabled by default: it is offered only when named (`-t +read`). */
const DISABLED_BY_DEFAULT = new Set(["read"]);

function builtinTools(options: ToolRegistryOptions): ToolDefinition[] {
  return [
    createShellTool(options.shell),
    createTmuxTool(options.tmux),
    createSaveTool(),
    createAppendTool(),
    createPatchTool(),
    createReadTool(),
  ] as ToolDefinition[];
}

function catalogOf(tools: ToolDefinition[]): ToolCatalogEntry[] {
  return tools.map((tool) => {
    const available = tool.isAvailable();
    if (typeof available !== "boolean") throw new Error(`Tool ${tool.name}: isAvailable must be synchronous here`);
    return { name: tool.name, available, disabledByDefault: DISABLED_BY_DEFAULT.has(tool.name) };
  });
}

/** The tools on by default; with `includeUnavailable`, also those this machine lacks (e.g. tmux). */
export function defaultToolNames(options: { includeUnavailable?: boolean } = {}): string[] {
  return catalogOf(builtinTools({}))
    .filter((entry) => !entry.disabledByDefault && (entry.available || options.includeUnavailable))
    .map((entry) => entry.name);
}

export function createToolRegistry(options: ToolRegistryOptions = {}): ToolRegistry {
  const everyTool = builtinTools(options);
  const selected = new Set(selectToolNames(options.tools, catalogOf(everyTool), options.strict));
  const tools = everyTool.filter((tool) => selected.has(tool.name));
  const budget = options.outputBudget ?? DEFAULT_OUTPUT_BUDGET;
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const byBlock = new Map(tools.flatMap((tool) => tool.blockTypes.map((type) => [type, tool] as const)));
  const unknown = (name: string) =>
    `Error: Unknown tool: \`${name}\`. Available tools: ${tools.map((tool) => tool.name).join(", ") || "(none)"}`;
  return {
    all: () => [...tools],
    get: (name) => byName.get(name),
    byBlockType: (blockType) => byBlock.get(blockType),
    async execute(toolUse, context) {
      const tool = byName.get(toolUse.tool) ?? byBlock.get(toolUse.tool);
      return tool ? runTool(tool, toolUse, context, budget) : unknown(toolUse.tool);
    },
    async preview(toolUse, context) {
      const tool = byName.get(toolUse.tool) ?? byBlock.get(toolUse.tool);
      return tool ? previewTool(tool, toolUse, context) : unknown(toolUse.tool);
    },
  };
}
