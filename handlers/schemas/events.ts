/** The event union of `GET .../events`, for the OpenAPI document. */
import { z } from "zod";
import { ChatConfig, Message } from "./conversation.js";
import { McpServerStatus } from "./mcp.js";

export const AutoConfirmLeft = z
  .union([z.number().int().nonnegative(), z.literal("unlimited")])
  .describe("How many more tools run without asking: a count, or `unlimited`; 0 when auto-confirm is off");

const ToolUse = z.object({ tool: z.string(), args: z.array(z.string()), content: z.string() });
const PendingTool = z.object({
  tool_id: z.string(),
  tooluse: ToolUse,
  auto_confirm: z.boolean(),
  preview: z.string().optional(),
});

const ElicitPending = z.object({
  type: z.literal("elicit_pending"),
  elicit_id: z.string(),
  elicit_type: z.enum(["text", "choice", "multi_choice", "secret", "confirmation", "form"]),
  prompt: z.string(),
  options: z.array(z.string()).optional(),
  fields: z
    .array(
      z.object({
        name: z.string(),
        prompt: z.string(),
        type: z.string(),
        options: z.array(z.string()).nullable(),
        required: z.boolean(),
        default: z.string().nullable(),
      }),
    )
    .optional(),
  default: z.string().optional(),
  description: z.string().optional(),
});

export const EventSchema = z
  .discriminatedUnion("type", [
    z.object({
      type: z.literal("connected"),
      session_id: z.string(),
      generating: z.boolean(),
      last_error: z.string().nullable(),
      pending_tools: z.array(PendingTool),
      auto_confirm_left: AutoConfirmLeft.optional(),
      pending_elicitations: z.array(ElicitPending).optional().describe("Questions still waiting for elicit/respond"),
    }),
    z.object({ type: z.literal("ping") }),
    z.object({
      type: z.literal("message_added"),
      message: Message,
      stored: z.literal(false).optional().describe("A command's report: shown, not kept in the log"),
    }),
    z.object({ type: z.literal("generation_started") }),
    z.object({ type: z.literal("generation_progress"), token: z.string() }),
    z.object({ type: z.literal("generation_complete"), message: Message }),
    PendingTool.extend({
      type: z.literal("tool_pending"),
      auto_confirm_left: AutoConfirmLeft.optional().describe("Auto-confirms left after this tool"),
    }),
    z.object({ type: z.literal("tool_executing"), tool_id: z.string() }),
    z.object({
      type: z.literal("tool_output"),
      tool_id: z.string(),
      output: z.string(),
      partial: z.boolean().optional().describe("Raw output while the tool runs; absent on the final result"),
    }),
    z.object({ type: z.literal("tool_complete"), tool_id: z.string(), duration_ms: z.number(), success: z.boolean() }),
    z.object({ type: z.literal("interrupted") }),
    z.object({ type: z.literal("error"), error: z.string() }),
    z.object({ type: z.literal("config_changed"), config: ChatConfig, changed_fields: z.array(z.string()) }),
    z.object({
      type: z.literal("conversation_edited"),
      index: z.number().int(),
      truncated: z.boolean(),
      log: z.array(Message),
      branches: z.record(z.string(), z.array(Message)),
    }),
    ElicitPending.describe("The agent asks the user; answer with POST .../elicit/respond"),
    z
      .object({ type: z.literal("mcp_server_status"), server: McpServerStatus })
      .describe("Ours: one of the conversation's MCP servers changed state (GET .../mcp lists them all)"),
  ])
  .describe("One SSE `data:` payload");
