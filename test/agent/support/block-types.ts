/** gptme's core block types, for parser tests. */
import type { ToolFormat } from "../../../runtime/agent/types.js";
import type { ToolUseParseOptions } from "../../../runtime/agent/parse/index.js";

const blockTypes: Record<string, string> = {
  shell: "shell",
  save: "save",
  append: "append",
  patch: "patch",
  tmux: "tmux",
  read: "read",
  ipython: "ipython",
  py: "ipython",
};

export function parseOptions(format: ToolFormat): ToolUseParseOptions {
  return { format, toolForBlockType: (blockType) => blockTypes[blockType] };
}
