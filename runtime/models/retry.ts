/** Retrying a reply stream with exponential backoff, but only until its first part was yielded. */
import { abortError, ModelRequestError, type Failure } from "./errors.js";
import type { ModelPart } from "./model.js";

export interface RetryOptions {
  /** Attempts in total, the first included (default 3). */
  attempts?: number;
  /** Delay before the second attempt; doubled for each further one (default 500 ms). */
  baseDelayMs?: number;
  /** Upper bound of one delay, also for a provider's `Retry-After` (default 30 s). */
  maxDelayMs?: number;
}

export const defaultRetryOptions: Required<RetryOptions> = { attempts: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface RetryingStreamOptions {
  modelId: string;
  signal?: AbortSignal;
  retry?: RetryOptions;
  /** Runs one attempt: the SDK call and the conversion of its reply to parts. */
  attempt: () => AsyncIterable<ModelPart>;
  classify: (error: unknown) => Failure;
  /** Appended to authentication failures, e.g. "check OPENAI_API_KEY". */
  authenticationHint?: string;
}

/**
 * Yields the parts of one successful attempt. A retryable failure before the first part starts a
 * new attempt after a backoff; after the first part, retrying would repeat text the caller already
 * has, so the failure ends the stream. Ends with `AbortError` when the signal is aborted.
 */
export async function* streamWithRetries(options: RetryingStreamOptions): AsyncGenerator<ModelPart> {
  const retry = { ...defaultRetryOptions, ...options.retry };
  const { signal } = options;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw abortError();
    let yielded = false;
    try {
      for await (const part of options.attempt()) {
        yielded = true;
        yield part;
      }
      // The SDKs end an aborted stream quietly instead of throwing.
      if (signal?.aborted) throw abortError();
      return;
    } catch (error) {
      const failure = options.classify(error);
      if (signal?.aborted || failure.kind === "abort") throw abortError();
      if (yielded || !failure.retryable || attempt >= retry.attempts) {
        throw toModelRequestError(failure, { ...options, attempts: attempt, yielded, cause: error });
      }
      const backoff = retry.baseDelayMs * 2 ** (attempt - 1);
      const requested = failure.kind === "http" ? (failure.retryAfterMs ?? 0) : 0;
      await sleep(Math.min(Math.max(backoff, requested), retry.maxDelayMs), signal);
    }
  }
}

function toModelRequestError(
  failure: Exclude<Failure, { kind: "abort" }>,
  context: { modelId: string; attempts: number; yielded: boolean; cause: unknown; authenticationHint?: string },
): ModelRequestError {
  const after = context.attempts > 1 ? ` after ${context.attempts} attempts` : "";
  let message: string;
  if (failure.kind === "http") {
    const hint = (failure.status === 401 || failure.status === 403) && context.authenticationHint;
    message = `${context.modelId}: HTTP ${failure.status} from the provider${after}: ${failure.message}${hint ? ` (${hint})` : ""}`;
  } else if (failure.kind === "connection") {
    message = `${context.modelId}: could not reach the provider${after}: ${failure.message}`;
  } else if (failure.kind === "stream" || context.yielded) {
    message = `${context.modelId}: the reply stream failed: ${failure.message}`;
  } else {
    message = `${context.modelId}: ${failure.message}`;
  }
  return new ModelRequestError(message, {
    modelId: context.modelId,
    status: failure.kind === "http" ? failure.status : undefined,
    retryable: failure.retryable,
    attempts: context.attempts,
    cause: context.cause,
  });
}

function sleep(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
