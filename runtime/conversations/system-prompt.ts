/** The system prompt stored when a conversation is created (hidden, pinned), from its config. */
import { buildSystemPrompt } from "../agent/prompt/index.js";
import type { ModelRegistry } from "../models/model.js";
import { createToolRegistry } from "../tools/registry.js";
import type { SystemPromptBuilder } from "./service.js";

export function systemPromptBuilder(models: ModelRegistry): SystemPromptBuilder {
  return async ({ config, workspace, prompt }) => {
    const tools = createToolRegistry({ tools: config.chat.tools ?? undefined }).all();
    return buildSystemPrompt({
      tools,
      toolFormat: config.chat.tool_format ?? "markdown",
      interactive: config.chat.interactive ?? true,
      model: config.chat.model || models.defaultModel() || "unknown",
      workspace,
      prompt,
    });
  };
}
