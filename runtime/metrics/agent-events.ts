/** Metrics read off a generation's events: model tokens and cost, tool runs and their durations. */
import type { AgentEvent } from "../agent/types.js";
import type { Metrics } from "./metrics.js";

/** One observer per generation: it remembers which tool each pending tool id names. */
export function agentEventObserver(metrics: Metrics): (event: AgentEvent) => void {
  const toolNames = new Map<string, string>();
  return (event) => {
    if (event.type === "tool_pending") toolNames.set(event.tool_id, event.tooluse.tool);
    if (event.type === "tool_complete") {
      metrics.observeToolRun(toolNames.get(event.tool_id) ?? "unknown", event.success ? "success" : "failure", event.duration_ms / 1000);
      toolNames.delete(event.tool_id);
    }
    if (event.type === "generation_complete") {
      const metadata = event.message.metadata;
      if (metadata?.model && (metadata.input_tokens !== undefined || metadata.output_tokens !== undefined)) {
        metrics.observeModelUsage(metadata.model.split("/")[0]!, {
          inputTokens: metadata.input_tokens ?? 0,
          outputTokens: metadata.output_tokens ?? 0,
          cost: metadata.cost ?? 0,
        });
      }
    }
  };
}
