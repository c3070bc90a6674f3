/**
 * The one wrapper every tool runs through: it maps a tool use to parameters, validates them, turns
 * errors into text the model can act on and caps the output, so each tool file stays about its tool.
 */
import type { z } from "zod";
import { truncateWithSavedOutput, type HeadTailBudget } from "./output-storage.js";
import type { ToolContext, ToolDefinition, ToolUse } from "./tool.js";

/** Types a tool definition's parameters from its zod schema; the definition is returned as is. */
export function defineTool<Schema extends z.ZodType<Record<string, unknown>>>(
  definition: Omit<ToolDefinition<NoInfer<z.output<Schema>>>, "parameters"> & { parameters: Schema },
): ToolDefinition<z.output<Schema>> {
  return definition as unknown as ToolDefinition<z.output<Schema>>;
}

/** Any output longer than this is cut to head + tail (the shell applies gptme's own, smaller budgets first). */
export const DEFAULT_OUTPUT_BUDGET: HeadTailBudget = { headCharacters: 40_000, tailCharacters: 40_000 };

export type ParametersResult =
  | { ok: true; parameters: Record<string, unknown> }
  | { ok: false; message: string };

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Native calls carry parameters; markdown and XML blocks carry args and content for `fromBlock`. */
export function parametersFor(tool: ToolDefinition, toolUse: ToolUse): ParametersResult {
  let candidate: unknown;
  try {
    candidate = toolUse.parameters ?? tool.fromBlock(toolUse.args, toolUse.content);
  } catch (error) {
    return { ok: false, message: `Error: ${messageOf(error)}` };
  }
  const parsed = tool.parameters.safeParse(candidate);
  if (!parsed.success) {
    return { ok: false, message: `Error: Invalid parameters for tool \`${tool.name}\`: ${describeIssues(parsed.error)}` };
  }
  return { ok: true, parameters: parsed.data };
}

/** Runs a tool use; never throws: every failure becomes the message the model sees. */
export async function runTool(
  tool: ToolDefinition,
  toolUse: ToolUse,
  context: ToolContext,
  budget: HeadTailBudget = DEFAULT_OUTPUT_BUDGET,
): Promise<string> {
  const result = parametersFor(tool, toolUse);
  if (!result.ok) return result.message;
  let output: string;
  try {
    output = await tool.execute(result.parameters, context);
  } catch (error) {
    output = `Error during execution: ${messageOf(error)}`;
  }
  return truncateWithSavedOutput(output, budget, context.sandbox.outputs, tool.name);
}

/** The text shown before confirmation: the tool's preview (a diff for file tools) or the content. */
export async function previewTool(tool: ToolDefinition, toolUse: ToolUse, context: ToolContext): Promise<string> {
  const result = parametersFor(tool, toolUse);
  if (!result.ok) return result.message;
  if (!tool.preview) {
    const block = tool.toBlock(result.parameters);
    return block.content || block.args.join(" ");
  }
  try {
    return await tool.preview(result.parameters, context);
  } catch (error) {
    return `Error: ${messageOf(error)}`;
  }
}
