/** A tiny ToolRegistry for loop tests: `echo` answers with its text, `fail` throws. */
import { z } from "zod";
import type { ToolContext, ToolDefinition, ToolRegistry, ToolUse } from "../../../runtime/tools/tool.js";

const echoParameters = z.object({ text: z.string().describe("What to echo back") });

export const echoTool: ToolDefinition<z.infer<typeof echoParameters>> = {
  name: "echo",
  description: "Repeats the given text.",
  instructions: "Write the text to echo as the block's content.",
  examples: [
    { role: "user", content: "say hi" },
    { role: "assistant", content: "Echoing it.", toolUse: { args: [], content: "hi" } },
    { role: "system", content: "Echo: hi" },
  ],
  blockTypes: ["echo"],
  parameters: echoParameters,
  isAvailable: () => true,
  fromBlock: (_args, content) => ({ text: content }),
  toBlock: (parameters) => ({ args: [], content: parameters.text }),
  execute: async (parameters) => `Echo: ${parameters.text}`,
};

const failParameters = z.object({ reason: z.string() });

export const failTool: ToolDefinition<z.infer<typeof failParameters>> = {
  name: "fail",
  description: "Always fails.",
  instructions: "",
  examples: [],
  blockTypes: ["fail"],
  parameters: failParameters,
  isAvailable: () => true,
  fromBlock: (_args, content) => ({ reason: content }),
  toBlock: (parameters) => ({ args: [], content: parameters.reason }),
  execute: async (parameters) => {
    throw new Error(parameters.reason);
  },
};

export class TestToolRegistry implements ToolRegistry {
  readonly executed: ToolUse[] = [];
  private readonly definitions: ToolDefinition[];

  constructor(definitions: ToolDefinition<never>[] = [echoTool as never, failTool as never]) {
    this.definitions = definitions as ToolDefinition[];
  }

  all(): ToolDefinition[] {
    return this.definitions;
  }

  get(name: string): ToolDefinition | undefined {
    return this.definitions.find((definition) => definition.name === name);
  }

  byBlockType(blockType: string): ToolDefinition | undefined {
    return this.definitions.find((definition) => definition.blockTypes.includes(blockType));
  }

  async execute(toolUse: ToolUse, context: ToolContext): Promise<string> {
    this.executed.push(toolUse);
    const definition = this.get(toolUse.tool);
    if (!definition) return `Error: unknown tool ${toolUse.tool}`;
    const parsed = definition.parameters.safeParse(toolUse.parameters ?? definition.fromBlock(toolUse.args, toolUse.content));
    if (!parsed.success) return `Error: invalid parameters: ${parsed.error.message}`;
    return definition.execute(parsed.data, context);
  }

  async preview(toolUse: ToolUse): Promise<string> {
    return `preview of ${toolUse.tool}: ${toolUse.content}`;
  }
}
