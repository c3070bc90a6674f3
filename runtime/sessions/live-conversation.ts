/**
 * One conversation's live state: its sessions, the generation running on it (at most one), the
 * tool confirmations that wait for a client, and the numbered event stream its clients share.
 */
import type { AgentEvent, AgentLoopOptions, AutoConfirmLeft, ConfirmDecision, LoopOutcome, PendingTool, ToolFormat } from "../agent/types.js";
import { ConflictError, NotFoundError } from "../errors.js";
import type { LanguageModel, ModelRegistry } from "../models/model.js";
import type { DraftStore } from "../store/drafts.js";
import type { ConversationStore } from "../store/types.js";
import type { Sandbox } from "../sandbox/types.js";
import type { ToolRegistry } from "../tools/tool.js";
import { EventBuffer, type EventBufferLimits, EventMemory } from "./event-buffer.js";
import { decisionFor, ToolConfirmations } from "./tool-confirmations.js";
import type { ConversationMcp } from "../mcp/conversation-mcp.js";
import type { McpApprovalRequest } from "../mcp/status.js";
import { approvalPending, approves } from "./mcp-approval.js";
import type { ConfirmOptions, NumberedEvent, SessionEvent, SessionSnapshot, StepOptions, WirePendingTool } from "./types.js";

export interface SessionDependencies {
  store: ConversationStore;
  models: ModelRegistry;
  /** The tools a conversation may use (its `chat.tools` allowlist). */
  toolsFor: (names: string[] | undefined) => ToolRegistry;
  /** The conversation's sandbox (the sandbox manager's `forConversation`). */
  sandboxFor: (conversationId: string, workspace: string) => Sandbox;
  dataDirectory: string;
  runLoop: (options: AgentLoopOptions) => Promise<LoopOutcome>;
  /** Names a conversation after its first reply; resolves to the new name or null. */
  autoName?: (conversationId: string, model: LanguageModel | null) => Promise<string | null>;
  /** How long an idle conversation's sessions and event buffer are kept (default one hour). */
  idleLimitMs?: number;
  /** Where replies being generated are kept until stored (crash recovery). */
  drafts?: DraftStore;
  /** Replay buffer bounds per conversation, and `totalBytes` across all of them (defaults: 2 000 events, 4 MiB, 64 MiB). */
  eventLimits?: EventBufferLimits & { totalBytes?: number };
  /**
   * Replicated mode: where events go instead of this process's buffer (the replicated session
   * manager numbers them and brings them back to every replica's clients). `allowed` turns false
   * once the generation that sends them lost its lease.
   */
  eventSink?: (conversationId: string, event: SessionEvent, allowed: () => boolean) => void;
  /** Replicated mode: takes the conversation's lease before a generation; ConflictError while another replica holds it. */
  claim?: (conversationId: string) => Promise<GenerationClaim>;
  /** Replicated mode: the auto-confirm budget changed here (Infinity: unlimited), to be shared with the other replicas. */
  autoConfirmChanged?: (conversationId: string, remaining: number) => void;
  /** The conversation's MCP servers' tools added to the loop's (runtime/mcp/conversation-mcp.ts). */
  mcp?: Pick<ConversationMcp, "loopOptions">;
  /** Called when an idle conversation is forgotten (its MCP servers stop). */
  onIdle?: (conversationId: string) => void;
  /** Sees every generation's events and its end (metrics, the generation log). */
  observeGeneration?: (conversationId: string, modelId: string) => GenerationObserver;
}

export interface GenerationObserver {
  event(event: AgentEvent): void;
  /** Once, when the generation is over (however it ended). */
  end(outcome: LoopOutcome): void;
}
/** A conversation's lease for one generation (replicated mode), and the stores that write only while it holds. */
export interface GenerationClaim {
  /** The conversation store whose writes prove the lease still holds (nothing lands once it was taken over). */
  store: ConversationStore;
  drafts: DraftStore;
  /** Aborted once the lease is lost: taken over, or not renewed in time. */
  lost: AbortSignal;
  /** False once the lease was lost (by the database or by this process's clock); true again never. */
  holds(): boolean;
  /** Gives the lease up (the generation ended). */
  release(): Promise<void>;
}


type Listener = (event: NumberedEvent) => void;

/** The count as clients see it (JSON has no Infinity). */
export function autoConfirmLeft(count: number): AutoConfirmLeft {
  return count === Number.POSITIVE_INFINITY ? "unlimited" : count;
}

/** `true` → unlimited, a number → that many tools, `false`/undefined → ask. */
export function autoConfirmCount(value: boolean | number | undefined): number {
  if (value === true) return Number.POSITIVE_INFINITY;
  if (typeof value === "number") return value > 0 ? value : 0;
  return 0;
}

export class LiveConversation {
  /** Session id → the auto-confirm budget it was created with. */
  readonly sessions = new Map<string, { autoConfirm: number; createdAt: number }>();
  generating = false;
  /** When the current generation started (epoch ms), for the sessions list and server health. */
  generatingSince: number | null = null;
  lastError: string | null = null;
  lastSessionId: string | null = null;
  private lastActivityAt = Date.now();
  private readonly buffer: EventBuffer;
  private readonly listeners = new Set<Listener>();
  private readonly closers = new Set<() => void>();
  private readonly confirmations = new ToolConfirmations();
  private abort: AbortController | null = null;
  /** The generation and what follows it (auto-naming). */
  private running: Promise<void> | null = null;
  /** The generation alone: settles as `generating` turns false. */
  private generation: Promise<unknown> | null = null;
  private autoConfirm = 0;
  private interruptedSent = false;
  /** The lease of the latest generation (replicated mode). */
  private claim: GenerationClaim | null = null;

  constructor(
    readonly id: string,
    private readonly dependencies: SessionDependencies,
    memory: EventMemory = new EventMemory(dependencies.eventLimits?.totalBytes),
  ) {
    this.buffer = new EventBuffer(dependencies.eventLimits, memory);
  }

  touch(): void {
    this.lastActivityAt = Date.now();
  }

  /** When something last happened here: now, while a generation runs (its tokens do not touch). */
  get lastActivity(): number {
    return this.generating ? Date.now() : this.lastActivityAt;
  }

  /** Nobody is watching, nothing runs or waits, and nothing happened since `cutoff`. */
  idleSince(cutoff: number): boolean {
    const busy = this.generating || this.listeners.size > 0 || this.confirmations.size > 0;
    return !busy && this.lastActivityAt <= cutoff;
  }

  /** How many more tools run without asking, as clients see it. */
  autoConfirmLeft(): AutoConfirmLeft {
    return autoConfirmLeft(this.autoConfirm);
  }

  /** Sets the auto-confirm budget at any time, also mid-generation (`false`/0 turns it off). */
  setAutoConfirm(value: boolean | number): AutoConfirmLeft {
    this.changeBudget(autoConfirmCount(value));
    return this.autoConfirmLeft();
  }

  /** Takes the budget another replica left (replicated mode), without announcing it back. */
  adoptAutoConfirm(remaining: number): void {
    this.autoConfirm = remaining;
  }

  private changeBudget(remaining: number): void {
    this.autoConfirm = remaining;
    this.dependencies.autoConfirmChanged?.(this.id, remaining);
  }

  addSession(sessionId: string, autoConfirm: boolean | number | undefined): void {
    this.sessions.set(sessionId, { autoConfirm: autoConfirmCount(autoConfirm), createdAt: Date.now() });
    if (autoConfirm !== undefined) this.changeBudget(autoConfirmCount(autoConfirm));
    this.lastSessionId = sessionId;
  }

  /** Ends a session; the conversation's latest session becomes the one before it. */
  removeSession(sessionId: string): void {
    this.sessions.delete(sessionId);
    if (this.lastSessionId === sessionId) this.lastSessionId = [...this.sessions.keys()].at(-1) ?? null;
  }

  /** Whether a tool use is waiting here or was settled lately. */
  knowsTool(toolId: string): boolean {
    return this.confirmations.knows(toolId);
  }

  pendingTools(): WirePendingTool[] {
    return this.confirmations.pending();
  }

  snapshot(sessionId: string): SessionSnapshot {
    return {
      id: sessionId,
      conversationId: this.id,
      generating: this.generating,
      lastError: this.lastError,
      pendingTools: this.pendingTools(),
    };
  }

  /**
   * Every event, a token included, goes to the listeners at once. Tokens used to be gathered for a
   * microtask so deltas read together went out as one event, but each delta now reaches here in a
   * microtask of its own (the agent awaits each part), so nothing was ever gathered: the scheduling
   * was a promise and a second event object per token for nothing.
   */
  publish(event: SessionEvent): void {
    this.touch();
    if (event.type === "interrupted") this.interruptedSent = true;
    this.deliver(event);
  }

  subscribe(lastEventId: number | null, listener: Listener, onClose?: () => void) {
    this.listeners.add(listener);
    if (onClose) this.closers.add(onClose);
    const { events, missed } = lastEventId === null ? { events: [], missed: false } : this.buffer.after(lastEventId);
    return {
      replay: events,
      missed,
      unsubscribe: () => {
        this.listeners.delete(listener);
        if (onClose) this.closers.delete(onClose);
      },
    };
  }

  /** Starts a generation in the background; 409 when one is running. */
  async step(options: StepOptions): Promise<void> {
    if (this.generating) throw new ConflictError("Generation already in progress");
    this.generating = true;
    this.generatingSince = Date.now();
    let claim: GenerationClaim | null = null;
    try {
      if (this.dependencies.claim) this.claim = claim = await this.dependencies.claim(this.id);
      const model = await this.resolveModel(options.model, claim?.store ?? this.dependencies.store);
      if (options.autoConfirm !== undefined) this.changeBudget(autoConfirmCount(options.autoConfirm));
      this.lastError = null;
      this.interruptedSent = false;
      this.lastSessionId = options.sessionId;
      const generation = this.runGeneration(options, model);
      this.generation = generation;
      this.running = generation
        .then((outcome) => (outcome !== "interrupted" && this.dependencies.autoName ? this.nameIfUnnamed(model) : undefined))
        .finally(() => {
          this.running = null;
        });
    } catch (error) {
      if (claim) await claim.release().catch(() => undefined);
      this.generating = false;
      this.generatingSince = null;
      throw error;
    }
  }

  /**
   * Settles a pending tool use. A tool id this conversation has already settled (auto-confirmed,
   * decided by another client, skipped by a new message) answers what happened to it instead.
   */
  confirm(options: ConfirmOptions): string {
    const { decision, outcome } = decisionFor(options);
    const { settledBefore } = this.confirmations.decide(options.toolId, decision, outcome);
    if (settledBefore !== null) return `Tool already ${settledBefore}`;
    if (options.action === "auto") this.changeBudget(options.count ?? Number.POSITIVE_INFINITY);
    return `Tool ${outcome}`;
  }

  /**
   * Makes way for a new user message: tool uses waiting for a decision are skipped (as the Skip
   * button records it) and the generation ends there, without a new step. 409 while the model
   * streams or a tool runs.
   */
  async skipPendingTools(): Promise<void> {
    if (!this.generating) return;
    if (this.confirmations.size === 0) throw new ConflictError("Cannot add message while generation is in progress");
    this.confirmations.decideAll({ action: "skip", andStop: true }, "skipped (a new message was sent instead)");
    await this.generation;
  }

  /** Makes way for deleting the conversation: pending tool uses are cancelled. 409 while the model streams or a tool runs. */
  async cancelPendingTools(): Promise<void> {
    if (!this.generating) return;
    if (this.confirmations.size === 0) throw new ConflictError("Cannot delete conversation while generation is in progress");
    this.abort?.abort();
    this.stopWaiting("cancelled (the conversation was deleted)");
    await this.generation;
  }

  async interrupt(): Promise<string> {
    if (!this.generating) return "Already interrupted or not generating";
    this.abort?.abort();
    this.stopWaiting("stopped (interrupted)");
    const running = this.running;
    if (running) await running;
    if (!this.interruptedSent) this.publish({ type: "interrupted" });
    return "Interrupted";
  }

  /** Resolves when the current generation (and its tool chain) has finished. */
  async settled(): Promise<void> {
    const running = this.running;
    if (running) await running;
  }

  /** Stops the generation without waiting and frees the event buffer (the conversation is being forgotten). */
  dispose(): void {
    this.abort?.abort();
    this.buffer.clear();
  }

  /** Stops everything and ends every stream (shutdown); resolves with the generation, if any. */
  close(): Promise<void> | null {
    this.abort?.abort();
    this.stopWaiting("stopped (the server shut down)");
    for (const close of this.closers) close();
    this.closers.clear();
    this.listeners.clear();
    return this.running;
  }

  private deliver(event: SessionEvent): void {
    const sink = this.dependencies.eventSink;
    if (sink) {
      const claim = this.claim;
      sink(this.id, event, claim ? () => claim.holds() : () => true);
      return;
    }
    const numbered = this.buffer.push(event);
    for (const listener of this.listeners) listener(numbered);
  }

  private stopWaiting(outcome: string): void {
    this.confirmations.decideAll({ action: "stop" }, outcome);
  }

  private async resolveModel(requested: string | undefined, store: ConversationStore): Promise<LanguageModel> {
    const { models } = this.dependencies;
    const conversation = await store.get(this.id);
    if (!conversation) throw new NotFoundError(`Conversation not found: ${this.id}`);
    const configured = conversation.config.chat.model || undefined;
    const name = requested?.trim() || configured || models.defaultModel() || undefined;
    const model = models.resolve(name);
    if (requested?.trim() && requested.trim() !== configured) {
      const config = { ...conversation.config, chat: { ...conversation.config.chat, model: model.id } };
      await store.updateConfig(this.id, config);
      this.publish({ type: "config_changed", config, changed_fields: ["model"] });
    }
    return model;
  }

  private async runGeneration(options: StepOptions, model: LanguageModel): Promise<LoopOutcome> {
    this.touch();
    const dependencies = this.dependencies;
    const claim = this.claim;
    const store = claim?.store ?? dependencies.store;
    const conversation = (await store.get(this.id))!;
    const abort = new AbortController();
    this.abort = abort;
    const observer = dependencies.observeGeneration?.(this.id, model.id);
    const stopOnLoss = () => abort.abort();
    claim?.lost.addEventListener("abort", stopOnLoss);
    const emit = (event: AgentEvent) => {
      // Tokens are nearly every event and nothing below counts, logs or remembers them; nor do they
      // need to mark activity (a clock read per token): the session is busy while it generates,
      // and the generation's end marks it.
      if (event.type === "generation_progress") return this.deliver(event);
      observer?.event(event);
      if (event.type === "error") this.lastError = event.error;
      if (event.type === "tool_pending" && event.auto_confirm) this.confirmations.remember(event.tool_id, "auto-confirmed");
      this.publish(event);
    };
    const confirm = (pending: PendingTool): Promise<ConfirmDecision> => {
      if (pending.autoConfirm) return Promise.resolve({ action: "confirm" });
      if (abort.signal.aborted) return Promise.resolve({ action: "stop" });
      return this.confirmations.waitFor(pending);
    };
    const takeAutoConfirm = () => {
      if (this.autoConfirm <= 0) return false;
      this.changeBudget(this.autoConfirm - 1);
      return true;
    };
    let outcome: LoopOutcome = "error";
    try {
      const toolFormat = (conversation.config.chat.tool_format ?? "markdown") as ToolFormat;
      const base = dependencies.toolsFor(conversation.config.chat.tools);
      const mcp = dependencies.mcp
        ? await dependencies.mcp.loopOptions({
            conversationId: this.id,
            workspace: conversation.workspace,
            conversationConfig: async () => (await dependencies.store.get(this.id))?.config.mcp,
            base,
            toolFormat,
            hooks: { approve: (request) => this.awaitMcpApproval(request, abort.signal) },
          })
        : { tools: base };
      outcome = await dependencies.runLoop({
        conversationId: this.id,
        store,
        model,
        ...mcp,
        cost: (modelId, usage) => dependencies.models.cost(modelId, usage),
        toolFormat,
        workspace: conversation.workspace,
        dataDirectory: dependencies.dataDirectory,
        sandbox: () => dependencies.sandboxFor(this.id, conversation.workspace),
        branch: options.branch ?? "main",
        stream: options.stream ?? conversation.config.chat.stream ?? true,
        signal: abort.signal,
        rerunLastReply: options.rerun,
        confirm,
        takeAutoConfirm,
        autoConfirmLeft: () => this.autoConfirmLeft(),
        emit,
        drafts: claim?.drafts ?? dependencies.drafts,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.lastError = message;
      observer?.event({ type: "error", error: message });
      this.publish({ type: "error", error: message });
    } finally {
      observer?.end(outcome);
      if (claim) {
        claim.lost.removeEventListener("abort", stopOnLoss);
        await claim.release().catch((error: unknown) => console.error(`could not release the lease of ${this.id}: ${String(error)}`));
      }
      this.touch();
      this.generating = false;
      this.generatingSince = null;
      this.abort = null;
      this.stopWaiting("stopped (the generation ended)");
    }
    return outcome;
  }

  /** A workspace MCP server waits for the user's confirmation (see mcp-approval.ts). */
  private async awaitMcpApproval(request: McpApprovalRequest, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return false;
    const pending = approvalPending(request);
    const started = Date.now();
    this.publish({ type: "tool_pending", tool_id: pending.toolId, tooluse: pending.wire, auto_confirm: false, auto_confirm_left: this.autoConfirmLeft(), preview: pending.preview });
    const approved = approves(await this.confirmations.waitFor(pending));
    this.publish({ type: "tool_complete", tool_id: pending.toolId, duration_ms: Date.now() - started, success: approved });
    return approved;
  }

  private async nameIfUnnamed(model: LanguageModel): Promise<void> {
    const { store, autoName } = this.dependencies;
    const conversation = await store.get(this.id);
    if (!conversation || conversation.config.chat.name) return;
    const name = await autoName!(this.id, model).catch(() => null);
    if (!name) return;
    // Deleted while it was being named: nothing to rename (an unhandled rejection would end the server).
    if (!(await store.rename(this.id, name).then(() => true, () => false))) return;
    const renamed = await store.get(this.id);
    if (renamed) this.publish({ type: "config_changed", config: renamed.config, changed_fields: ["name"] });
  }
}
