/**
 * Questions the agent asks the user mid-conversation (gptme's elicitation): a tool or an MCP
 * client calls `ask`, clients see an `elicit_pending` event (and the open questions in
 * `connected`), and `POST .../elicit/respond` answers. An unanswered question is cancelled when
 * its signal aborts (the generation was interrupted), after an hour, or when the conversation goes.
 */
import { randomUUID } from "node:crypto";
import { NotFoundError } from "../errors.js";
import type { ElicitPendingEvent, SessionEvent } from "./types.js";

export type ElicitationType = ElicitPendingEvent["elicit_type"];

export interface ElicitationField {
  name: string;
  prompt: string;
  type?: "text" | "secret" | "choice" | "boolean" | "number";
  options?: string[];
  required?: boolean;
  default?: string;
}

export interface ElicitationRequest {
  type: ElicitationType;
  prompt: string;
  /** For `choice` and `multi_choice`. */
  options?: string[];
  /** For `form`. */
  fields?: ElicitationField[];
  default?: string;
  /** Kept out of the model's context by the caller; always true for `secret`. */
  sensitive?: boolean;
  description?: string;
}

/** gptme's `ElicitationResponse`. */
export interface ElicitationResponse {
  action: "accept" | "decline" | "cancel";
  /** The answer for text, choice, secret, confirmation and form (JSON) questions. */
  value: string | null;
  /** The answers of a multi_choice question. */
  values: string[] | null;
  cancelled: boolean;
  sensitive: boolean;
}

export interface ElicitationAnswer {
  action: "accept" | "decline" | "cancel";
  value?: unknown;
  values?: unknown;
}

export interface Elicitations {
  /** Asks the conversation's user and waits for the answer (or a cancellation). */
  ask(conversationId: string, request: ElicitationRequest, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<ElicitationResponse>;
  /** Answers an open question; NotFoundError when it is not open on this conversation. */
  respond(conversationId: string, elicitId: string, answer: ElicitationAnswer): void;
  /** The open questions of a conversation, as their `elicit_pending` events. */
  pending(conversationId: string): ElicitPendingEvent[];
  /** Cancels every open question of a conversation (it was deleted). */
  cancelAll(conversationId: string): void;
}

interface OpenQuestion {
  conversationId: string;
  event: ElicitPendingEvent;
  sensitive: boolean;
  settle: (response: ElicitationResponse) => void;
}

const defaultTimeoutMs = 60 * 60 * 1000;

const cancelled = (sensitive: boolean): ElicitationResponse => ({ action: "cancel", value: null, values: null, cancelled: true, sensitive });

function eventOf(id: string, request: ElicitationRequest): ElicitPendingEvent {
  const event: ElicitPendingEvent = { type: "elicit_pending", elicit_id: id, elicit_type: request.type, prompt: request.prompt };
  if (request.options?.length) event.options = request.options;
  if (request.fields?.length) {
    event.fields = request.fields.map((field) => ({
      name: field.name,
      prompt: field.prompt,
      type: field.type ?? "text",
      options: field.options ?? null,
      required: field.required ?? true,
      default: field.default ?? null,
    }));
  }
  if (request.default) event.default = request.default;
  if (request.description) event.description = request.description;
  return event;
}

/** gptme's resolution: `values` for multi-choice, else `value` (an empty string when absent). */
function responseOf(answer: ElicitationAnswer, sensitive: boolean): ElicitationResponse {
  if (answer.action === "cancel") return cancelled(sensitive);
  if (answer.action === "decline") return { action: "decline", value: null, values: null, cancelled: false, sensitive };
  if (Array.isArray(answer.values)) {
    return { action: "accept", value: null, values: answer.values.map(String), cancelled: false, sensitive };
  }
  const value = answer.value === undefined || answer.value === null ? "" : typeof answer.value === "string" ? answer.value : JSON.stringify(answer.value);
  return { action: "accept", value, values: null, cancelled: false, sensitive };
}

export function createElicitations(publish: (conversationId: string, event: SessionEvent) => void): Elicitations {
  const open = new Map<string, OpenQuestion>();

  return {
    ask(conversationId, request, options = {}) {
      const id = randomUUID();
      const sensitive = request.type === "secret" || request.sensitive === true;
      const event = eventOf(id, request);
      return new Promise<ElicitationResponse>((resolve) => {
        const timer = setTimeout(() => question.settle(cancelled(sensitive)), options.timeoutMs ?? defaultTimeoutMs);
        timer.unref?.();
        const onAbort = () => question.settle(cancelled(sensitive));
        const question: OpenQuestion = {
          conversationId,
          event,
          sensitive,
          settle: (response) => {
            if (!open.delete(id)) return;
            clearTimeout(timer);
            options.signal?.removeEventListener("abort", onAbort);
            resolve(response);
          },
        };
        if (options.signal?.aborted) {
          resolve(cancelled(sensitive));
          clearTimeout(timer);
          return;
        }
        options.signal?.addEventListener("abort", onAbort, { once: true });
        open.set(id, question);
        publish(conversationId, event);
      });
    },

    respond(conversationId, elicitId, answer) {
      const question = open.get(elicitId);
      if (!question || question.conversationId !== conversationId) {
        throw new NotFoundError(`Elicitation not found: ${elicitId} (not pending on this conversation)`);
      }
      question.settle(responseOf(answer, question.sensitive));
    },

    pending(conversationId) {
      return [...open.values()].filter((question) => question.conversationId === conversationId).map((question) => question.event);
    },

    cancelAll(conversationId) {
      for (const question of [...open.values()]) {
        if (question.conversationId === conversationId) question.settle(cancelled(question.sensitive));
      }
    },
  };
}
