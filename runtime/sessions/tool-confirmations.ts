/**
 * The tool uses of one conversation that wait for a client's decision, and what happened to the
 * ones already settled, so a late or repeated confirmation can be answered with it.
 */
import type { ConfirmDecision, PendingTool } from "../agent/types.js";
import { BadRequestError, NotFoundError } from "../errors.js";
import type { ConfirmOptions, WirePendingTool } from "./types.js";

interface Waiting {
  wire: WirePendingTool;
  resolve: (decision: ConfirmDecision) => void;
}

/** How many settled tool ids are remembered per conversation. */
const rememberedTools = 1000;

export class ToolConfirmations {
  private readonly waiting = new Map<string, Waiting>();
  /** Tool id → what happened to it ("confirmed", "auto-confirmed", "skipped", ...), oldest first. */
  private readonly settled = new Map<string, string>();

  get size(): number {
    return this.waiting.size;
  }

  pending(): WirePendingTool[] {
    return [...this.waiting.values()].map((waiting) => waiting.wire);
  }

  /** Resolves once a client (or the generation's end) decides about `pending`. */
  waitFor(pending: PendingTool): Promise<ConfirmDecision> {
    const wire: WirePendingTool = { tool_id: pending.toolId, tooluse: pending.wire, auto_confirm: false, preview: pending.preview };
    return new Promise((resolve) => this.waiting.set(pending.toolId, { wire, resolve }));
  }

  /** Whether this tool use is waiting or was settled lately. */
  knows(toolId: string): boolean {
    return this.waiting.has(toolId) || this.settled.has(toolId);
  }

  /** Settles a waiting tool use; a settled one answers what happened to it; an unknown one is a 404. */
  decide(toolId: string, decision: ConfirmDecision, outcome: string): { settledBefore: string | null } {
    const waiting = this.waiting.get(toolId);
    if (!waiting) {
      const before = this.settled.get(toolId);
      if (before !== undefined) return { settledBefore: before };
      throw new NotFoundError(`Tool ${toolId} no longer pending (may have been executed or cancelled)`);
    }
    this.waiting.delete(toolId);
    this.remember(toolId, outcome);
    waiting.resolve(decision);
    return { settledBefore: null };
  }

  /** Settles every waiting tool use the same way. */
  decideAll(decision: ConfirmDecision, outcome: string): void {
    for (const toolId of [...this.waiting.keys()]) this.decide(toolId, decision, outcome);
  }

  /** Records a tool use settled without waiting (auto-confirmed). */
  remember(toolId: string, outcome: string): void {
    this.settled.delete(toolId);
    this.settled.set(toolId, outcome);
    if (this.settled.size > rememberedTools) this.settled.delete(this.settled.keys().next().value!);
  }
}

/** What a client's action means for the loop, and how it is remembered. */
export function decisionFor(options: ConfirmOptions): { decision: ConfirmDecision; outcome: string } {
  switch (options.action) {
    case "edit":
      return { decision: { action: "edit", content: options.content! }, outcome: "edited" };
    case "skip":
      return { decision: { action: "skip" }, outcome: "skipped" };
    case "auto":
      return { decision: { action: "confirm" }, outcome: "auto-confirmed" };
    default:
      return { decision: { action: "confirm" }, outcome: "confirmed" };
  }
}

/** Checks a confirmation's fields before any lookup (gptme HEAD validates the action first). */
export function validateConfirm(options: ConfirmOptions): void {
  const actions = ["confirm", "edit", "skip", "auto"];
  if (!actions.includes(options.action)) throw new BadRequestError(`Unknown action: ${options.action}`);
  if (options.action === "edit" && (typeof options.content !== "string" || options.content.trim() === "")) {
    throw new BadRequestError("content must be a non-empty string for edit action");
  }
  if (options.action === "auto" && options.count !== undefined && (!Number.isInteger(options.count) || options.count <= 0)) {
    throw new BadRequestError("count must be a positive integer");
  }
}
