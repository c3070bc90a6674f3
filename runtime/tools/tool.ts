/** The contract every tool implements, and what the agent loop and prompt see of it. */
import type { z } from "zod";
import type { Sandbox } from "../sandbox/types.js";

/** A parsed tool use, in gptme's ToolUse shape: `tool`, `args` (the block's info-string words), `content`. */
export interface ToolUse {
  tool: string;
  args: string[];
  content: string;
  /** Set for native tool calls (`@tool(call_id): {json}`). */
  callId?: string;
  /** Parameters as given by a native tool call (JSON object), when there was one. */
  parameters?: Record<string, unknown>;
}

export interface ToolContext {
  /** The conversation's workspace: the cwd of relative paths and the shell's start dir. */
  workspace: string;
  conversationId: string;
  signal: AbortSignal;
  /**
   * The conversation's sandbox: the only way a tool reaches processes and files (and where full
   * outputs are saved), so every tool sees exactly what the shell sees.
   */
  sandbox: Sandbox;
  /** Streams partial output while the tool runs. */
  onOutput?: (chunk: string) => void;
}

/** One turn of a prompt example; assistant turns carry a tool use rendered in the active format. */
export type ToolExampleTurn =
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolUse?: { args: string[]; content: string } }
  | { role: "system"; content: string };

export interface ToolDefinition<Parameters extends Record<string, unknown> = Record<string, unknown>> {
  name: string;
  description: string;
  instructions: string;
  examples: ToolExampleTurn[];
  /** Markdown fence languages / XML tags that invoke this tool, e.g. `["save"]`, `["shell"]`. */
  blockTypes: string[];
  /** For native tool calls; also validates every call. */
  parameters: z.ZodType<Parameters>;
  /**
   * MCP hook (runtime/mcp): the parameters' JSON Schema as a server gave it, offered to the model
   * for native calls instead of converting `parameters`.
   */
  jsonSchema?: Record<string, unknown>;
  /** Whether the tool can be offered on this machine (e.g. tmux installed). */
  isAvailable(): boolean | Promise<boolean>;
  /** Maps a block's args and content to parameters (`save path` + content → `{path, content}`). */
  fromBlock(args: string[], content: string): Parameters;
  /** Maps parameters back to args and content (for `tool_pending` and prompt examples). */
  toBlock(parameters: Parameters): { args: string[]; content: string };
  /** Text shown before confirmation (a unified diff for save/patch); defaults to the content. */
  preview?(parameters: Parameters, context: ToolContext): Promise<string>;
  /** Runs the tool; returns the system message text gptme would produce. */
  execute(parameters: Parameters, context: ToolContext): Promise<string>;
}

/** The tools the loop can run, by name and by block type. */
export interface ToolRegistry {
  all(): ToolDefinition[];
  get(name: string): ToolDefinition | undefined;
  /** The tool a markdown fence language / XML tag belongs to. */
  byBlockType(blockType: string): ToolDefinition | undefined;
  /** Validates and runs a tool use; errors become text the model can act on; output is truncated. */
  execute(toolUse: ToolUse, context: ToolContext): Promise<string>;
  preview(toolUse: ToolUse, context: ToolContext): Promise<string>;
}
