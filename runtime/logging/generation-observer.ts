/** One generation seen by the metrics and the generation log: what started, ran, cost and how it ended. */
import type { AgentEvent, LoopOutcome } from "../agent/types.js";
import { agentEventObserver } from "../metrics/agent-events.js";
import type { Metrics } from "../metrics/metrics.js";
import type { GenerationObserver } from "../sessions/live-conversation.js";
import type { ServerLog } from "./server-log.js";

export function generationObserver(options: { metrics?: Metrics; log?: ServerLog }) {
  return (conversationId: string, modelId: string): GenerationObserver => {
    const started = performance.now();
    const countEvent = options.metrics && agentEventObserver(options.metrics);
    const ended = options.metrics?.generationStarted();
    const tools = new Map<string, string>();
    const log = options.log;
    return {
      event(event: AgentEvent) {
        countEvent?.(event);
        if (!log) return;
        const conversation = conversationId;
        if (event.type === "generation_started") log.generation("generation_started", { conversation, model: modelId });
        if (event.type === "tool_pending") tools.set(event.tool_id, event.tooluse.tool);
        if (event.type === "tool_complete") {
          log.generation("tool_complete", {
            conversation,
            tool: tools.get(event.tool_id) ?? "unknown",
            success: event.success,
            duration_ms: Math.round(event.duration_ms),
          });
        }
        if (event.type === "generation_complete") {
          const metadata = event.message.metadata;
          log.generation("generation_complete", {
            conversation,
            model: metadata?.model ?? modelId,
            input_tokens: metadata?.input_tokens,
            output_tokens: metadata?.output_tokens,
            cost: metadata?.cost,
          });
        }
        if (event.type === "error") log.generation("generation_error", { conversation, model: modelId, error: event.error });
      },
      end(outcome: LoopOutcome) {
        ended?.();
        log?.generation("generation_end", { conversation: conversationId, outcome, duration_ms: Math.round(performance.now() - started) });
      },
    };
  };
}
