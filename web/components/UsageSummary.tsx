import { formatCost, formatTokens } from "../format.js";
import type { UsageTotals } from "../conversation/usage.js";

/**
 * Token and cost figures; `label` names what they belong to for screen readers. A zero cost (local
 * models, or no price known) is left out rather than shown as "$0".
 */
export function UsageSummary({ usage, label, model }: { usage: UsageTotals; label: string; model?: string }) {
  const cached = usage.cacheReadTokens ? ` (${formatTokens(usage.cacheReadTokens)} cached)` : "";
  const cost = usage.cost > 0 ? `, cost ${formatCost(usage.cost)}` : "";
  return (
    <span class="usage" aria-label={`${label}: ${usage.inputTokens} input tokens${cached}, ${usage.outputTokens} output tokens${cost}`}>
      {model && <span class="usage-model">{model}</span>}
      <span title="Input tokens">
        {formatTokens(usage.inputTokens)} in{cached}
      </span>
      <span title="Output tokens">{formatTokens(usage.outputTokens)} out</span>
      {usage.cost > 0 && (
        <span class="usage-cost" title="Cost">
          {formatCost(usage.cost)}
        </span>
      )}
    </span>
  );
}
